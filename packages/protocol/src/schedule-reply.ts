/**
 * Beat's answer to a schedule command, in Celery's rpc result format (result-message.ts):
 * `{task_id: <request id>, status, result, traceback: null, children: []}`, published to the
 * command's `reply_to` with the request id as `correlation_id`. SUCCESS carries the
 * ScheduleReply; FAILURE an encoded exception, e.g. an InvalidArgumentError for a bad cron
 * expression. Reusing the result format lets a client wait with the reader it already has.
 */
import { encodeException, isExceptionInfo, type ExceptionInfo } from './exception-info.js';
import type { ResultMeta } from './result-message.js';
import type { ScheduleReply } from './schedule-command.js';

/** The request id of a command that carried neither a correlation id nor a message id. */
export const UNKNOWN_REQUEST_ID = 'unknown';

/** A decoded answer: the reply, or the error beat refused the command with. */
export type ScheduleOutcome = { ok: true; reply: ScheduleReply } | { ok: false; error: ExceptionInfo };

/** The client's request id travels as the correlation id; a command without one still gets an answer. */
export function scheduleRequestId(properties: { correlationId?: unknown; messageId?: unknown }): string {
  const id: unknown = properties.correlationId ?? properties.messageId;
  return typeof id === 'string' && id.length > 0 ? id : UNKNOWN_REQUEST_ID;
}

export function scheduleSuccess(requestId: string, reply: ScheduleReply): ResultMeta {
  return { task_id: requestId, status: 'SUCCESS', result: reply, traceback: null, children: [] };
}

/** Any error, encoded as Celery encodes exceptions: its name is what a client matches on. */
export function scheduleFailure(requestId: string, error: unknown): ResultMeta {
  return { task_id: requestId, status: 'FAILURE', result: encodeException(error), traceback: null, children: [] };
}

/**
 * Reads an answer. The SUCCESS result is trusted as a ScheduleReply (the caller checks the
 * parts it uses); any other state is an error, and a result that is not an encoded exception
 * becomes a plain Python `Exception` carrying its text.
 */
export function decodeScheduleReply(meta: ResultMeta): ScheduleOutcome {
  if (meta.status === 'SUCCESS') return { ok: true, reply: meta.result as ScheduleReply };
  if (isExceptionInfo(meta.result)) return { ok: false, error: meta.result };
  return { ok: false, error: { exc_type: 'Exception', exc_message: [String(meta.result)], exc_module: 'builtins' } };
}
