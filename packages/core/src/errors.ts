/**
 * Errors Celeriac throws on purpose. Each has a stable `code`; match on it, not on the text.
 *
 * ```
 * CeleriacError
 *  ├─ ProtocolError        a message that is not valid Celery protocol (@celeriac/protocol)
 *  ├─ ConfigurationError   CONFIG_INVALID: options that cannot be used
 *  ├─ InvalidArgumentError INVALID_ARGUMENT: a call's input (task args, send options) is unusable
 *  ├─ ConnectionError      BROKER_UNREACHABLE, CONNECTION_CLOSED
 *  ├─ PublishError         PUBLISH_UNROUTABLE, PUBLISH_NACKED, PUBLISH_UNCONFIRMED
 *  ├─ ResultError          RESULT_TIMEOUT, RESULT_UNAVAILABLE
 *  └─ TaskFailedError      TASK_FAILED (also REVOKED): the remote task raised; carries its type
 * ```
 */
import { CeleriacError, exceptionMessage, isExceptionInfo, type TaskState } from '@celeriac/protocol';

export { CeleriacError };

export class ConfigurationError extends CeleriacError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('CONFIG_INVALID', message, options);
  }
}

/** A call's input that cannot be used, e.g. a negative countdown or args that are not an array. */
export class InvalidArgumentError extends CeleriacError {
  constructor(message: string) {
    super('INVALID_ARGUMENT', message);
  }
}

export type ConnectionErrorCode = 'BROKER_UNREACHABLE' | 'MONGODB_UNREACHABLE' | 'CONNECTION_CLOSED';

export class ConnectionError extends CeleriacError {
  declare readonly code: ConnectionErrorCode;
  constructor(code: ConnectionErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

export type PublishErrorCode = 'PUBLISH_UNROUTABLE' | 'PUBLISH_NACKED' | 'PUBLISH_UNCONFIRMED';

/** A publish the broker did not take responsibility for. The message may or may not exist. */
export class PublishError extends CeleriacError {
  declare readonly code: PublishErrorCode;
  readonly exchange: string;
  readonly routingKey: string;

  constructor(
    code: PublishErrorCode,
    message: string,
    target: { exchange: string; routingKey: string },
    options?: { cause?: unknown },
  ) {
    super(code, message, options);
    this.exchange = target.exchange;
    this.routingKey = target.routingKey;
  }
}

export type ResultErrorCode = 'RESULT_TIMEOUT' | 'RESULT_UNAVAILABLE';

export class ResultError extends CeleriacError {
  declare readonly code: ResultErrorCode;
  readonly taskId: string;
  constructor(code: ResultErrorCode, taskId: string, message: string) {
    super(code, message);
    this.taskId = taskId;
  }
}

/** The remote task ended in FAILURE or REVOKED; fields mirror Celery's encoded exception. */
export class TaskFailedError extends CeleriacError {
  readonly taskId: string;
  readonly state: TaskState;
  readonly excType: string;
  readonly excMessage: string;
  readonly excModule: string | null;
  readonly traceback: string | null;

  constructor(taskId: string, state: TaskState, result: unknown, traceback: string | null) {
    const info = isExceptionInfo(result)
      ? result
      : { exc_type: 'Exception', exc_message: [String(result)], exc_module: null };
    const message = isExceptionInfo(result) ? exceptionMessage(result) : String(result);
    super(
      'TASK_FAILED',
      `task ${taskId} ${state === 'REVOKED' ? 'was revoked' : 'failed'}: ${info.exc_type}: ${message}`,
    );
    this.taskId = taskId;
    this.state = state;
    this.excType = info.exc_type;
    this.excMessage = message;
    this.excModule = info.exc_module ?? null;
    this.traceback = traceback;
  }
}
