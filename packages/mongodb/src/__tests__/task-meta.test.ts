import { expect } from 'chai';
import { TaskState } from '@celeriac/protocol';
import { ResultError, type StateUpdate } from '@celeriac/core';
import { resultMetaOf, taskMetaDocument } from '../index.js';

const NOW = new Date('2024-05-01T12:00:00.762Z');

function update(overrides: Partial<StateUpdate>): StateUpdate {
  return {
    taskId: 'tid-1',
    state: TaskState.SUCCESS,
    result: 5,
    traceback: null,
    replyTo: null,
    correlationId: 'tid-1',
    ...overrides,
  };
}

describe('celery_taskmeta documents (Celery 5.3.4+ shape)', () => {
  // Text compared parsed: kombu writes ", " separators, ours are compact; json.loads reads both.
  it('SUCCESS: the result JSON-encoded into a string, children [], date_done a Date', () => {
    const document = taskMetaDocument(update({ result: { total: 5, items: ['a'] } }), NOW);
    expect(document).to.deep.equal({
      _id: 'tid-1',
      status: 'SUCCESS',
      result: document.result,
      traceback: null,
      children: [],
      date_done: NOW,
    });
    expect(JSON.parse(document.result)).to.deep.equal({ total: 5, items: ['a'] });
    expect(Object.keys(document)).to.have.members(['_id', 'status', 'result', 'traceback', 'children', 'date_done']);
  });

  it('FAILURE: the encoded exception as a JSON string and the traceback, as in the reference example', () => {
    const exception = { exc_type: 'KeyError', exc_message: ['nope'], exc_module: 'builtins' };
    const document = taskMetaDocument(
      update({ state: TaskState.FAILURE, result: exception, traceback: 'Traceback (most recent call last): ...' }),
      NOW,
    );
    expect(JSON.parse(document.result)).to.deep.equal(
      JSON.parse('{"exc_type": "KeyError", "exc_message": ["nope"], "exc_module": "builtins"}'),
    );
    expect(document).to.deep.include({
      status: 'FAILURE',
      traceback: 'Traceback (most recent call last): ...',
      date_done: NOW,
    });
  });

  it('non-ready states (STARTED, RETRY) have date_done null; a null result is the string "null"', () => {
    const started = taskMetaDocument(update({ state: TaskState.STARTED, result: { pid: 1, hostname: 'w@h' } }), NOW);
    expect(started).to.deep.include({ result: '{"pid":1,"hostname":"w@h"}', date_done: null });
    expect(taskMetaDocument(update({ state: TaskState.RETRY }), NOW).date_done).to.equal(null);
    expect(taskMetaDocument(update({ result: undefined }), NOW).result).to.equal('null');
    expect(taskMetaDocument(update({ state: TaskState.REVOKED }), NOW).date_done).to.equal(NOW);
  });

  it('keeps the children it is given', () => {
    expect(taskMetaDocument(update({ children: [['child-id', null]] }), NOW).children).to.deep.equal([
      ['child-id', null],
    ]);
  });

  it('reads a document back into ResultMeta, decoding the JSON string as Celery does', () => {
    const stored = { ...taskMetaDocument(update({ result: [1, 'two'] }), NOW) };
    expect(resultMetaOf(stored)).to.deep.equal({
      task_id: 'tid-1',
      status: 'SUCCESS',
      result: [1, 'two'],
      traceback: null,
      children: [],
    });
  });

  it("reads Celery 5.2.x documents (date_done a string) and native results (result_serializer 'bson')", () => {
    expect(
      resultMetaOf({
        _id: 'x',
        status: 'SUCCESS',
        result: '5',
        traceback: null,
        children: null,
        date_done: '2024-05-01T12:00:00.123456',
      }),
    ).to.deep.include({ result: 5, children: null });
    expect(
      resultMetaOf({ _id: 'x', status: 'SUCCESS', result: { a: 1 }, traceback: null, children: [] }).result,
    ).to.deep.equal({ a: 1 });
  });

  it('refuses an unknown state or a result that is not JSON, with a ResultError', () => {
    expect(() => resultMetaOf({ _id: 'x', status: 'DONE', result: '1' })).to.throw(ResultError, 'unknown state');
    expect(() => resultMetaOf({ _id: 'x', status: 'SUCCESS', result: '{oops' })).to.throw(ResultError, 'not JSON');
  });
});
