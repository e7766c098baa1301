/**
 * The `celery_taskmeta` document, exactly as Celery's mongodb backend (5.3.4+) writes it, so a
 * Python `AsyncResult` on the same database reads Celeriac's results and the other way round:
 * `result` is the JSON-encoded value (a string), `date_done` a BSON Date for ready states.
 */
import {
  READY_STATES,
  isTaskState,
  parseJson,
  stringifyJson,
  type ResultMeta,
  type TaskState,
} from '@celeriac/protocol';
import { ResultError, type StateUpdate } from '@celeriac/core';

export const TASKMETA_COLLECTION = 'celery_taskmeta';

export interface TaskMetaDocument {
  _id: string;
  status: TaskState;
  /** JSON text: the return value, the encoded exception, or the STARTED/RETRY payload. */
  result: string;
  traceback: string | null;
  children: unknown[];
  /** When the task became ready; null while PENDING/STARTED/RETRY (Celery's `_get_result_meta`). */
  date_done: Date | null;
}

export function taskMetaDocument(update: StateUpdate, now: Date = new Date()): TaskMetaDocument {
  return {
    _id: update.taskId,
    status: update.state,
    result: stringifyJson(update.result ?? null),
    traceback: update.traceback,
    children: update.children ?? [],
    date_done: READY_STATES.has(update.state) ? now : null,
  };
}

/** A stored document as the reader's ResultMeta; `result` is decoded as Celery's reader decodes it. */
export function resultMetaOf(document: Record<string, unknown>): ResultMeta {
  const taskId = String(document._id);
  if (!isTaskState(document.status))
    throw new ResultError(
      'RESULT_UNAVAILABLE',
      taskId,
      `stored result has an unknown state ${JSON.stringify(document.status)}`,
    );
  return {
    task_id: taskId,
    status: document.status,
    result: decodeResult(taskId, document.result),
    traceback: typeof document.traceback === 'string' ? document.traceback : null,
    children: Array.isArray(document.children) ? document.children : null,
  };
}

/** A JSON string (result_serializer 'json', Celery's default); other serializers store native values. */
function decodeResult(taskId: string, value: unknown): unknown {
  if (typeof value !== 'string') return value ?? null;
  try {
    return parseJson(value);
  } catch (error) {
    throw new ResultError('RESULT_UNAVAILABLE', taskId, `stored result is not JSON: ${(error as Error).message}`);
  }
}
