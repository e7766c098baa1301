import type { Logger } from '@celeriac/core';
import type { RetryOptions } from '../retry/retry-decision.js';

/** What a handler knows about the task it is running; passed after the task's own arguments. */
export interface TaskContext {
  readonly id: string;
  readonly name: string;
  /** How many times this task has been retried before this run. */
  readonly retries: number;
  /** Keyword arguments, e.g. from a Python caller's `send_task(..., kwargs={...})`. */
  readonly kwargs: Readonly<Record<string, unknown>>;
  /** Every message header, custom ones included. */
  readonly headers: Readonly<Record<string, unknown>>;
  readonly rootId: string;
  readonly parentId: string | null;
  readonly eta: Date | null;
  readonly expires: Date | null;
  /**
   * The queue it was consumed from, and whether an earlier delivery ended without an ack (the
   * broker's redelivered flag, or the x-celeriac-deliveries count of a republished copy).
   */
  readonly delivery: { readonly queue: string; readonly redelivered: boolean };
  /** The worker's node name, e.g. `celeriac@host`. */
  readonly hostname: string;
  /** Aborted when the worker gives up on the task (shutdown timeout); stop work when it fires. */
  readonly signal: AbortSignal;
  /** A logger whose every line carries the task id and name. */
  readonly logger: Logger;
  /**
   * Retries the task, as Celery's `self.retry()`: always throws. While tries are left it throws a
   * Retry signal (let it propagate): the worker stores RETRY and republishes the task with
   * `retries + 1` after the countdown (back-off by default). With none left it throws
   * `options.error`, or MaxRetriesExceededError, and the task FAILs with it.
   */
  retry(options?: RetryOptions): never;
}
