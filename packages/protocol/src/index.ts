/**
 * @module @celeriac/protocol
 *
 * Celery's wire format and nothing else: task messages of protocol v2 (and v1 on input),
 * result metadata, task states, exception encoding and kombu-compatible JSON. No I/O.
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
export { argsRepr, kwargsRepr } from './py-repr.js';
export {
  DEAD_LETTER_FITS,
  DEAD_LETTER_HEADER,
  MAX_KEPT_HEADER_BYTES,
  MAX_REASON_CHARS,
  clip,
  deadLetterHeaders,
  type DeadLetterFit,
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
} from './control-message.js';
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
