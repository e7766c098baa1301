import { expect } from 'chai';
import { ProtocolError } from '../errors.js';
import { isExceptionInfo } from '../exception-info.js';
import { decodeResult, encodeResult, type ResultMeta } from '../result-message.js';
import { RESULT_FIXTURES, loadFixture } from './fixtures.js';

function decodeFixture(name: string): ResultMeta {
  return decodeResult(Buffer.from(loadFixture(name).body, 'utf8'));
}

function decodeError(text: string): ProtocolError {
  try {
    decodeResult(Buffer.from(text, 'utf8'));
  } catch (error) {
    expect(error).to.be.instanceOf(ProtocolError);
    return error as ProtocolError;
  }
  expect.fail(`decodeResult accepted ${text}`);
}

describe('decodeResult on rpc:// replies from Celery 5.2.6', () => {
  for (const name of RESULT_FIXTURES) {
    it(`${name}: the task id is the one the reply was correlated with`, () => {
      const fixture = loadFixture(name);
      expect(decodeFixture(name).task_id).to.equal(fixture.properties.correlationId);
    });
  }

  it('result-success: SUCCESS with the return value and no traceback', () => {
    expect(decodeFixture('result-success')).to.deep.include({
      status: 'SUCCESS',
      result: 5,
      traceback: null,
      children: [],
    });
  });

  it('result-started: STARTED with the worker pid and hostname', () => {
    expect(decodeFixture('result-started')).to.deep.include({
      status: 'STARTED',
      result: { pid: 8090, hostname: 'interop-celeriac.fixture.c94f42dc.worker@vm' },
    });
  });

  it('result-failure: FAILURE with the encoded ValueError and the Python traceback', () => {
    const meta = decodeFixture('result-failure');
    expect(meta.status).to.equal('FAILURE');
    expect(meta.result).to.deep.equal({ exc_type: 'ValueError', exc_message: ['bad'], exc_module: 'builtins' });
    expect(isExceptionInfo(meta.result)).to.equal(true);
    expect(meta.traceback)
      .to.match(/^Traceback \(most recent call last\):/)
      .and.include('ValueError: bad');
  });

  it('result-notregistered: FAILURE NotRegistered from celery.exceptions, naming the task', () => {
    const meta = decodeFixture('result-notregistered');
    expect(meta.result).to.deep.equal({
      exc_type: 'NotRegistered',
      exc_message: ['interop.does_not_exist'],
      exc_module: 'celery.exceptions',
    });
    expect(meta.traceback).to.equal(null);
  });

  it('tolerates the extra keys newer Celery adds, and a missing children list', () => {
    const meta = decodeResult(
      Buffer.from(
        '{"task_id": "t1", "status": "SUCCESS", "result": 1, "date_done": "2024-05-01T12:00:00", "group_id": null}',
      ),
    );
    expect(meta).to.deep.equal({ task_id: 't1', status: 'SUCCESS', result: 1, traceback: null, children: null });
  });

  it('keeps a 2**70 result exact', () => {
    expect(
      decodeResult(Buffer.from('{"task_id": "t1", "status": "SUCCESS", "result": [1180591620717411303424, 7]}')).result,
    ).to.deep.equal([1180591620717411303424n, 7]);
  });

  it('refuses what is not a result, with stable codes', () => {
    expect(decodeError('{"task_id": ').code).to.equal('BODY_UNDECODABLE');
    expect(decodeError('[1, 2]').code).to.equal('BODY_SHAPE_INVALID');
    expect(decodeError('"SUCCESS"').code).to.equal('BODY_SHAPE_INVALID');
    expect(decodeError('{"status": "SUCCESS"}').code).to.equal('BODY_SHAPE_INVALID');
    expect(decodeError('{"task_id": "t1", "status": "DONE"}').code).to.equal('BODY_SHAPE_INVALID');
  });
});

describe('encodeResult', () => {
  it("publishes as Celery's rpc backend does: transient json, priority 0, correlated by task id", () => {
    const meta: ResultMeta = { task_id: 't1', status: 'SUCCESS', result: 5, traceback: null, children: [] };
    const { body, properties } = encodeResult(meta);
    expect(properties).to.deep.equal({
      contentType: 'application/json',
      contentEncoding: 'utf-8',
      deliveryMode: 1,
      priority: 0,
      correlationId: 't1',
    });
    expect(JSON.parse(body.toString('utf8'))).to.deep.equal(meta);
  });

  it('round-trips a FAILURE and a bigint result through decodeResult', () => {
    const failure: ResultMeta = {
      task_id: 't2',
      status: 'FAILURE',
      result: { exc_type: 'KeyError', exc_message: ['nope'], exc_module: 'builtins' },
      traceback: 'tb',
      children: [],
    };
    expect(decodeResult(encodeResult(failure, 'corr').body)).to.deep.equal(failure);
    expect(encodeResult(failure, 'corr').properties.correlationId).to.equal('corr');
    const big: ResultMeta = { task_id: 't3', status: 'SUCCESS', result: 2n ** 70n, traceback: null, children: [] };
    expect(decodeResult(encodeResult(big).body).result).to.equal(2n ** 70n);
  });
});
