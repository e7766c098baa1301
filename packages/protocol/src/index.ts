/**
 * @module @celeriac/protocol
 *
 * Every byte that crosses the broker, and nothing else: Celery's task messages of protocol v2
 * (and v1 on input), result metadata, task states, exception encoding, kombu-compatible JSON,
 * pidbox requests and replies, monitoring events (events/), delay-lane routing keys; and
 * Celeriac's own schedule commands, dead-letter and delivery-count headers. No I/O. PROTOCOL.md at the repository root
 * describes each format with an example message.
 *
 * ```ts
 * const { body, properties } = encodeTask({ id, name: 'tasks.add', args: [2, 3] });
 * const task = decodeTask({ content: body, properties });
 * ```
 */
export { CeleriacError, ProtocolError, type MessageIdentity, type ProtocolErrorCode } from './errors.js';
export { TaskState, READY_STATES, EXCEPTION_STATES, PROPAGATE_STATES, isTaskState } from './states.js';
export { formatCeleryDate, parseCeleryDate } from './iso-date.js';
export { parseJson, stringifyJson } from './kombu-json.js';
export { toFieldTable, fromFieldValue, type FieldTable, type FieldValue, type TypedFieldValue } from './field-table.js';
export { argsRepr, kwargsRepr, valueRepr } from './py-repr.js';
export {
  DEAD_LETTER_FITS,
  DEAD_LETTER_HEADER,
  MAX_KEPT_HEADER_BYTES,
  MAX_REASON_CHARS,
  clip,
  deadLetterHeaders,
  readDeadLetterInfo,
  requeuedHeaders,
  type DeadLetterFit,
  type DeadLetterInfo,
  type DeadLetterStamp,
} from './dead-letter.js';
export {
  encodeException,
  exceptionMessage,
  isExceptionInfo,
  CELERY_EXCEPTIONS_MODULE,
  CELERIAC_EXCEPTIONS_MODULE,
  type ExceptionInfo,
} from './exception-info.js';
export { encodeTask } from './encode-task.js';
export {
  readSignature,
  readSignatures,
  mergeCall,
  signatureSend,
  type SignatureCall,
  type SignatureSend,
} from './signature.js';
export { canvasSends } from './canvas-send.js';
export { taskSignature, chainSignature, groupSignature, chordSignature, chordUnlockSignature } from './canvas-dicts.js';
export { decodeTask, UNDECODABLE_HEADERS, type DecodeOptions } from './decode-task.js';
export { encodeResult, decodeResult, type ResultMeta, type ResultPublishProperties } from './result-message.js';
export {
  encodeControlRequest,
  encodeControlReply,
  decodeControlRequest,
  type ControlRequest,
  type ControlRequestInput,
  type ControlReplyTo,
  type EncodedControlMessage,
} from './control/message.js';
export { decodeControlReply, okReply, errorReply, unknownCommandReply, type ControlReply } from './control/reply.js';
export { revokeArguments, revokeTaskIds, type RevokeArguments } from './control/commands.js';
export {
  requestInfo,
  scheduledInfo,
  queueAsDict,
  type RequestInfo,
  type HeldTask,
  type HeldState,
  type ScheduledInfo,
  type ConsumedQueue,
} from './control/inspect.js';
export { brokerInfo, rusageInfo, poolInfo, type ResourceUsageLike, type PoolDescription } from './control/stats.js';
export {
  encodeHelloRevoked,
  decodeHelloRevoked,
  helloReply,
  type HelloReply,
  type HelloRevoked,
  type RevokedEntry,
} from './control/hello.js';
export {
  encodeScheduleCommand,
  decodeScheduleCommand,
  type ScheduleCommand,
  type ScheduleReply,
  type ScheduleOp,
  type ScheduleRequest,
  type ScheduleCommandProperties,
  type EncodedScheduleCommand,
} from './schedule-command.js';
export {
  scheduleRequestId,
  scheduleSuccess,
  scheduleFailure,
  decodeScheduleReply,
  UNKNOWN_REQUEST_ID,
  type ScheduleOutcome,
} from './schedule-reply.js';
export type {
  CronSpec,
  IntervalSpec,
  OnceSpec,
  ScheduleSpec,
  NormalizedSpec,
  MissedRunPolicy,
  ScheduleTaskOptions,
  ScheduleInput,
  ScheduleDefinition,
  ScheduleState,
  ScheduleEntry,
} from './schedule-shapes.js';
export {
  DELIVERIES_HEADER,
  INTERRUPTED_HEADER,
  BROKER_DELIVERY_COUNT_HEADER,
  readDeliveries,
  readBrokerDeliveries,
  readInterrupted,
  countedHeaders,
} from './delivery-count.js';
export {
  DELAY_LEVELS,
  MAX_DELAY_SECONDS,
  delayRoutingKey,
  stripDelayPrefix,
  laneBindingKey,
  delayedDeliveryBindingKey,
  delayEntryLevel,
} from './delay-routing-key.js';
export {
  EMPTY_EMBED,
  type EncodedTask,
  type RawMessage,
  type Signature,
  type TaskEmbed,
  type TaskMessage,
  type TaskMessageInput,
  type TaskPublishProperties,
  type TimeLimit,
} from './task-message.js';
export * from './events/index.js';
