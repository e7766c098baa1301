import { expect } from 'chai';
import { ResultError, TaskFailedError, type ResultReader } from '@celeriac/core';
import type { ResultMeta } from '@celeriac/protocol';
import { AsyncResult } from '../async-result.js';

/** A result backend that already knows the given states and counts what it is asked. */
function readerOf(metas: ResultMeta[]): ResultReader & { waits: number } {
  const byId = new Map(metas.map((meta) => [meta.task_id, meta]));
  return {
    waits: 0,
    replyTo: async () => 'reply',
    latest: async (id) => byId.get(id) ?? null,
    async waitForReady(id, timeoutMs) {
      this.waits += 1;
      const meta = byId.get(id);
      if (meta) return meta;
      throw new ResultError('RESULT_TIMEOUT', id, `nothing within ${timeoutMs} ms`);
    },
    close: async () => undefined,
  };
}

const meta = (
  task_id: string,
  status: ResultMeta['status'],
  result: unknown,
  traceback: string | null = null,
): ResultMeta => ({ task_id, status, result, traceback, children: [] });

describe('AsyncResult', () => {
  it('is PENDING while the backend knows nothing, then shows the latest state', async () => {
    const reader = readerOf([meta('started', 'STARTED', { pid: 1 })]);
    expect(await new AsyncResult('unknown', reader).state()).to.equal('PENDING');
    expect(await new AsyncResult('started', reader).state()).to.equal('STARTED');
  });

  it('returns a SUCCESS value and keeps it, so get() and state() need the backend only once', async () => {
    const reader = readerOf([meta('t1', 'SUCCESS', 2n ** 70n)]);
    const result = new AsyncResult<bigint>('t1', reader);
    expect(await result.get()).to.equal(2n ** 70n);
    expect(await result.get()).to.equal(2n ** 70n);
    expect(await result.state()).to.equal('SUCCESS');
    expect(reader.waits).to.equal(1);
  });

  it('throws TaskFailedError with the remote exception for FAILURE and REVOKED', async () => {
    const failure = meta(
      'f',
      'FAILURE',
      { exc_type: 'KeyError', exc_message: ['nope'], exc_module: 'builtins' },
      'Traceback ...',
    );
    const revoked = meta('r', 'REVOKED', {
      exc_type: 'TaskRevokedError',
      exc_message: ['expired'],
      exc_module: 'celery.exceptions',
    });
    const reader = readerOf([failure, revoked]);
    const error = await new AsyncResult('f', reader).get().catch((e: unknown) => e);
    expect(error).to.be.instanceOf(TaskFailedError).and.include({
      code: 'TASK_FAILED',
      taskId: 'f',
      state: 'FAILURE',
      excType: 'KeyError',
      excMessage: 'nope',
      excModule: 'builtins',
      traceback: 'Traceback ...',
    });
    const revokedError = await new AsyncResult('r', reader).get().catch((e: unknown) => e);
    expect(revokedError)
      .to.be.instanceOf(TaskFailedError)
      .and.include({ state: 'REVOKED', excType: 'TaskRevokedError' });
    expect((revokedError as Error).message).to.include('was revoked');
  });

  it('describes a FAILURE whose result is not an encoded exception instead of crashing', async () => {
    const error = await new AsyncResult('odd', readerOf([meta('odd', 'FAILURE', 'plain text')]))
      .get()
      .catch((e: unknown) => e);
    expect(error).to.be.instanceOf(TaskFailedError).and.include({ excType: 'Exception', excMessage: 'plain text' });
  });

  it("passes the backend's timeout on, and refuses a negative timeout", async () => {
    const result = new AsyncResult('never', readerOf([]));
    expect(await result.get({ timeoutMs: 5 }).catch((e: unknown) => e))
      .to.be.instanceOf(ResultError)
      .with.property('code', 'RESULT_TIMEOUT');
    expect(await result.get({ timeoutMs: -1 }).catch((e: unknown) => e)).to.be.instanceOf(RangeError);
  });

  it('without a result backend: PENDING forever, and get() is RESULT_UNAVAILABLE', async () => {
    const result = new AsyncResult('t', null);
    expect(await result.state()).to.equal('PENDING');
    expect(await result.get().catch((e: unknown) => e))
      .to.be.instanceOf(ResultError)
      .with.property('code', 'RESULT_UNAVAILABLE');
  });
});
