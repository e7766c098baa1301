/**
 * Celery's monitoring events: what workers and clients publish on `celeryev` and monitors
 * (`celery events`, Flower, Celeriac's own) read. See PROTOCOL.md, "Events".
 *
 * - event-types.ts   the envelope and each type's fields, in Celery's wire names
 * - task-fields.ts   the fields of task events, built from a task message and an outcome
 * - encode-event.ts  the message a dispatcher publishes; routing key, properties, utcoffset
 * - decode-event.ts  the receiver's side: one event or a `task.multi` list
 * - py-json.ts       JSON byte for byte as Python writes it
 */
export type {
  DecodedEvent,
  EventEnvelope,
  EventFieldsByType,
  EventType,
  TaskFailedFields,
  TaskIdFields,
  TaskReceivedFields,
  TaskRejectedFields,
  TaskRetriedFields,
  TaskRevokedFields,
  TaskSentFields,
  TaskSucceededFields,
  WorkerEventFields,
} from './event-types.js';
export {
  encodeEvent,
  encodeEventList,
  eventJson,
  eventProperties,
  eventRoutingKey,
  localUtcOffset,
  TASK_MULTI_ROUTING_KEY,
  type EncodedEvent,
  type EventSender,
} from './encode-event.js';
export { decodeEvents } from './decode-event.js';
export {
  taskCallFields,
  taskSentFields,
  resultRepr,
  exceptionRepr,
  RESULT_REPR_MAX,
  type TaskRoute,
} from './task-fields.js';
