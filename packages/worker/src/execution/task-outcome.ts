import { TaskState, encodeException, type ExceptionInfo } from '@celeriac/protocol';
import type { Retry } from '../retry/retry-decision.js';

/** How one run of a handler ended, ready to be reported as a task state. */
export type TaskOutcome =
  | { state: typeof TaskState.SUCCESS; result: unknown }
  | { state: typeof TaskState.FAILURE; result: ExceptionInfo; traceback: string | null; error: unknown }
  /** The handler asked to run again (ctx.retry or autoRetryFor); `retry` says when and where. */
  | { state: typeof TaskState.RETRY; result: ExceptionInfo; traceback: string | null; error: unknown; retry: Retry }
  /** Revoked before it ran, or terminated by a revoke while it ran (terminable-executor.ts). */
  | { state: typeof TaskState.REVOKED; result: ExceptionInfo; traceback: null; error: unknown };

/** A FAILURE with `error` as Celery encodes it, and its stack as the traceback. */
export function failure(error: unknown): TaskOutcome {
  const traceback = error instanceof Error && error.stack ? error.stack : null;
  return { state: TaskState.FAILURE, result: encodeException(error), traceback, error };
}
