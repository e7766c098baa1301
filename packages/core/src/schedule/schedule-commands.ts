import type { ScheduleEntry, ScheduleInput } from './schedule-types.js';

/**
 * Runtime edits a client sends to the leading beat over AMQP (its control queue). The body is
 * the JSON of a command; `correlation_id` is the request id and `reply_to` the client's rpc reply
 * queue. Beat answers there in Celery's result format, `{task_id: <request id>, status, result}`:
 * SUCCESS with the ScheduleReply, or FAILURE with an encoded error (e.g. an invalid cron
 * expression), so a client reuses its result reader to wait for the answer.
 */
export type ScheduleCommand =
  | { op: 'add'; schedule: ScheduleInput }
  | { op: 'update'; schedule: ScheduleInput }
  | { op: 'remove'; name: string }
  | { op: 'enable'; name: string }
  | { op: 'disable'; name: string }
  | { op: 'list' };

export type ScheduleReply =
  | { op: 'add' | 'update' | 'enable' | 'disable'; entry: ScheduleEntry }
  | { op: 'remove'; removed: boolean }
  | { op: 'list'; entries: ScheduleEntry[] };
