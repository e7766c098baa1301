import { InvalidArgumentError } from '@celeriac/core';
import { CELERY_EXCEPTIONS_MODULE } from '@celeriac/protocol';
import { retryDelayMs, type RetryPolicy } from './retry-policy.js';

/** What `ctx.retry()` takes; everything is optional, as in Celery's `Task.retry`. */
export interface RetryOptions {
  /** Wait this long before the retry runs. @default back-off (or defaultRetryDelayMs with retryBackoff off) */
  countdownMs?: number;
  /** The error this retry is about: stored as the RETRY result, and the FAILURE once no tries are left. */
  error?: unknown;
  /** Overrides the task's maxRetries for this decision; null retries forever. */
  maxRetries?: number | null;
  /** Send the retry to this queue (e.g. one a Python worker consumes). @default the queue it came from */
  queue?: string;
}

/**
 * Thrown by `ctx.retry()` (Celery's `Retry`): the worker stores RETRY, republishes the task with
 * `retries + 1`, then acknowledges this delivery. Let it propagate; catching it cancels the retry.
 */
export class Retry extends Error {
  override readonly name = 'Retry';
  readonly excModule = CELERY_EXCEPTIONS_MODULE;

  constructor(
    readonly delayMs: number,
    readonly queue: string | null,
    readonly error: unknown,
  ) {
    super(
      `Retry in ${Math.round(delayMs) / 1000}s${error instanceof Error ? `: ${error.name}('${error.message}')` : ''}`,
    );
  }
}

/** The failure of a task that asked to retry with no tries left and no error of its own to fail with. */
export class MaxRetriesExceededError extends Error {
  override readonly name = 'MaxRetriesExceededError';
  readonly excModule = CELERY_EXCEPTIONS_MODULE;
}

/** The task a retry decision is about. */
export interface RetryTarget {
  readonly id: string;
  readonly name: string;
  readonly retries: number;
  readonly policy: RetryPolicy;
}

/**
 * Celery's `Task.retry` decision: a Retry to throw, or, once `retries + 1` exceeds maxRetries,
 * the error to fail with (the given one, else MaxRetriesExceededError). It is thrown either way.
 */
export function retry(target: RetryTarget, options: RetryOptions = {}): never {
  checkRetryOptions(options);
  const maxRetries = options.maxRetries === undefined ? target.policy.maxRetries : options.maxRetries;
  if (maxRetries !== null && target.retries + 1 > maxRetries) throw finalError(target, maxRetries, options.error);
  throw new Retry(
    retryDelayMs(target.policy, target.retries, options.countdownMs),
    options.queue ?? null,
    options.error,
  );
}

function finalError(target: RetryTarget, maxRetries: number, error: unknown): unknown {
  if (error !== undefined) return error;
  return new MaxRetriesExceededError(
    `Can't retry ${target.name}[${target.id}]: it was retried ${target.retries} times (maxRetries ${maxRetries})`,
  );
}

function checkRetryOptions(options: RetryOptions): void {
  const { countdownMs, maxRetries, queue } = options;
  if (
    countdownMs !== undefined &&
    !(typeof countdownMs === 'number' && Number.isFinite(countdownMs) && countdownMs >= 0)
  ) {
    throw new InvalidArgumentError(
      `retry countdownMs must be a number of milliseconds >= 0, got ${String(countdownMs)}`,
    );
  }
  if (maxRetries !== undefined && maxRetries !== null && !(Number.isInteger(maxRetries) && maxRetries >= 0)) {
    throw new InvalidArgumentError(`retry maxRetries must be an integer >= 0 or null, got ${String(maxRetries)}`);
  }
  if (queue !== undefined && !(typeof queue === 'string' && queue.length > 0 && queue.length <= 255)) {
    throw new InvalidArgumentError('retry queue must be a non-empty string of at most 255 characters');
  }
}
