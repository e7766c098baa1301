/**
 * Celery's monitoring events (reference celery-wave2 §3.2, captured from Celery 5.5/5.6 workers):
 * the fields every event carries, and each type's own fields, in Celery's wire names.
 */

/** What every event carries besides its own fields (Celery's `Event()` plus the dispatcher's). */
export interface EventEnvelope {
  /** The sender's node name, e.g. `celery@host1`. */
  hostname: string;
  /** Hours **west** of UTC (Python's `time.timezone // 3600`), so receivers can adjust timestamp. */
  utcoffset: number;
  pid: number;
  /** The sender's Lamport clock. */
  clock: number;
  /** Epoch seconds, a float. */
  timestamp: number;
  type: string;
}

/** worker-online, worker-heartbeat and worker-offline: what Flower lists a worker with. */
export interface WorkerEventFields {
  /** Seconds between heartbeats; monitors call the worker offline after twice this. */
  freq: number;
  /** Tasks executing now. */
  active: number;
  /** Tasks started since the worker started. */
  processed: number;
  loadavg: readonly [number, number, number];
  sw_ident: string;
  sw_ver: string;
  sw_sys: string;
}

/** Fields task-sent and task-received share; args and kwargs are Python reprs, dates ISO strings. */
interface TaskCallFields {
  uuid: string;
  name: string;
  args: string;
  kwargs: string;
  root_id: string | null;
  parent_id: string | null;
  retries: number;
  eta: string | null;
  expires: string | null;
}

export interface TaskSentFields extends TaskCallFields {
  queue: string;
  exchange: string;
  routing_key: string;
}

export interface TaskIdFields {
  uuid: string;
}

export interface TaskSucceededFields extends TaskIdFields {
  /** The result's repr, at most 1024 characters. */
  result: string;
  /** Seconds the handler ran. */
  runtime: number;
}

export interface TaskFailedFields extends TaskIdFields {
  /** The exception's repr, e.g. `ValueError('bad')`. */
  exception: string;
  /** Absent for a task the worker does not know (Celery sends NotRegistered without one). */
  traceback?: string;
}

export interface TaskRetriedFields extends TaskIdFields {
  exception: string;
  traceback: string;
}

export interface TaskRevokedFields extends TaskIdFields {
  terminated: boolean;
  /** The signal number of a terminate; null when it was revoked or expired before it ran. */
  signum: number | string | null;
  expired: boolean;
}

export interface TaskRejectedFields extends TaskIdFields {
  requeue: boolean;
}

/** Each event type Celeriac sends, with its own fields (the envelope is added by encodeEvent). */
export interface EventFieldsByType {
  'worker-online': WorkerEventFields;
  'worker-heartbeat': WorkerEventFields;
  'worker-offline': WorkerEventFields;
  'task-sent': TaskSentFields;
  'task-received': TaskCallFields;
  'task-started': TaskIdFields;
  'task-succeeded': TaskSucceededFields;
  'task-failed': TaskFailedFields;
  'task-retried': TaskRetriedFields;
  'task-revoked': TaskRevokedFields;
  'task-rejected': TaskRejectedFields;
}

export type EventType = keyof EventFieldsByType;
export type TaskReceivedFields = TaskCallFields;

/** An event as a receiver reads it: the envelope, and whatever else the sender put in. */
export type DecodedEvent = EventEnvelope & Readonly<Record<string, unknown>>;
