import { bindArguments } from '@celeriac/core';
import { TaskState, encodeException, stringifyJson } from '@celeriac/protocol';
import { Retry } from '../retry/retry-decision.js';
import { shouldAutoRetry } from '../retry/retry-policy.js';
import type { RegisteredTask } from '../task-registry.js';
import type { TaskContext } from './task-context.js';
import { failure, type TaskOutcome } from './task-outcome.js';

/**
 * Calls a handler with its arguments and context, and turns however it ended into a TaskOutcome:
 * a result that must be JSON, a Retry, an error that retries by itself (autoRetryFor), a failure.
 * Never throws. Shared by the inline pool and the threads pool's threads.
 */
export async function runHandler(
  task: RegisteredTask,
  args: readonly unknown[],
  context: TaskContext,
): Promise<TaskOutcome> {
  let params: unknown[];
  try {
    params = handlerArgs(task, args, context.kwargs);
  } catch (error) {
    return failure(error); // a wrong call never succeeds on a retry: no autoRetryFor here
  }
  try {
    const result = await task.handler(...params, context);
    return encodable(result);
  } catch (error) {
    return thrown(task, context, abortReason(error, context.signal));
  }
}

/**
 * `await setTimeout(ms, value, { signal: ctx.signal })`, `events.once(..., { signal })` and the
 * like reject with a generic AbortError whose `cause` is the signal's reason. That reason is the
 * worker's own error (SoftTimeLimitExceeded, a revoke's TaskRevokedError, ...), and it is what is
 * reported: a Python caller's get() raises celery.exceptions.SoftTimeLimitExceeded, as for a
 * Python task, rather than a synthesized AbortError.
 */
function abortReason(error: unknown, signal: AbortSignal | undefined): unknown {
  // `?.`: a context made by hand (a test's, a tool's) may come without a signal.
  const wrapsReason =
    signal?.aborted === true && error instanceof Error && error.name === 'AbortError' && error.cause === signal.reason;
  return wrapsReason ? signal.reason : error;
}

/** A thrown Retry is a RETRY; an autoRetryFor error retries as `ctx.retry({ error })` would. */
function thrown(task: RegisteredTask, context: TaskContext, error: unknown): TaskOutcome {
  if (error instanceof Retry) return retried(error);
  if (!shouldAutoRetry(task.options, error)) return failure(error);
  try {
    return context.retry({ error });
  } catch (decision) {
    return decision instanceof Retry ? retried(decision) : failure(decision);
  }
}

/** The RETRY result is the error the retry is about, else the Retry itself (as Celery stores it). */
function retried(signal: Retry): TaskOutcome {
  const error = signal.error ?? signal;
  const traceback = error instanceof Error && error.stack ? error.stack : null;
  return { state: TaskState.RETRY, result: encodeException(error), traceback, error, retry: signal };
}

/**
 * Named parameters: args and kwargs bound as Python binds them (task-params.ts in core).
 * Otherwise the context goes right after the handler's declared arguments, so a caller that
 * sends fewer (a Python peer using defaults) still puts it where the handler expects it.
 */
function handlerArgs(
  task: RegisteredTask,
  args: readonly unknown[],
  kwargs: Readonly<Record<string, unknown>>,
): unknown[] {
  if (task.params) return bindArguments(task.name, task.params, args, kwargs);
  const declared = Math.max(0, task.handler.length - 1);
  if (args.length >= declared) return [...args];
  return [...args, ...new Array<undefined>(declared - args.length).fill(undefined)];
}

/** A result that cannot become JSON fails the task here, not later inside the result publish. */
function encodable(result: unknown): TaskOutcome {
  try {
    stringifyJson(result === undefined ? null : result);
    return { state: TaskState.SUCCESS, result: result === undefined ? null : result };
  } catch (error) {
    const encodeError = Object.assign(
      new Error(`the task's return value cannot be encoded as JSON: ${(error as Error).message}`),
      { name: 'EncodeError', excModule: 'kombu.exceptions' },
    );
    return failure(encodeError);
  }
}
