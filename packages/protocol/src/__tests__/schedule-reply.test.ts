import { expect } from 'chai';
import { decodeResult, encodeResult } from '../result-message.js';
import {
  UNKNOWN_REQUEST_ID,
  decodeScheduleReply,
  scheduleFailure,
  scheduleRequestId,
  scheduleSuccess,
} from '../schedule-reply.js';
import type { ScheduleReply } from '../schedule-command.js';

/** Stands in for core's InvalidArgumentError (protocol cannot import core): same name, so the same encoding. */
class InvalidArgumentLike extends Error {
  override name = 'InvalidArgumentError';
}

/** An answer as it travels: encoded as an rpc result, decoded by the client's result reader. */
function overTheWire(meta: ReturnType<typeof scheduleSuccess>) {
  return decodeResult(encodeResult(meta, meta.task_id).body);
}

describe('schedule replies', () => {
  it('answers in Celery result format: SUCCESS with the reply, task_id = request id', () => {
    const reply: ScheduleReply = { op: 'remove', removed: true };
    expect(scheduleSuccess('req-1', reply)).to.deep.equal({
      task_id: 'req-1',
      status: 'SUCCESS',
      result: reply,
      traceback: null,
      children: [],
    });
    expect(decodeScheduleReply(overTheWire(scheduleSuccess('req-1', reply)))).to.deep.equal({ ok: true, reply });
  });

  it('round-trips a refusal with the error name a client matches on', () => {
    const meta = scheduleFailure('req-2', new InvalidArgumentLike('bad cron'));
    expect(meta.status).to.equal('FAILURE');
    expect(decodeScheduleReply(overTheWire(meta))).to.deep.equal({
      ok: false,
      error: { exc_type: 'InvalidArgumentError', exc_message: ['bad cron'], exc_module: 'celeriac' },
    });
  });

  it('reads a failure that is not an encoded exception as a plain Exception with its text', () => {
    const meta = { task_id: 'r', status: 'FAILURE' as const, result: 'disk full', traceback: null, children: [] };
    expect(decodeScheduleReply(meta)).to.deep.equal({
      ok: false,
      error: { exc_type: 'Exception', exc_message: ['disk full'], exc_module: 'builtins' },
    });
  });

  it('takes the request id from the correlation id, else the message id, else "unknown"', () => {
    expect(scheduleRequestId({ correlationId: 'c', messageId: 'm' })).to.equal('c');
    expect(scheduleRequestId({ messageId: 'm' })).to.equal('m');
    expect(scheduleRequestId({ correlationId: '' })).to.equal(UNKNOWN_REQUEST_ID);
    expect(scheduleRequestId({ correlationId: 42 })).to.equal('unknown');
  });
});
