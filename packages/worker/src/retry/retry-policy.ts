import { ConfigurationError, backoffDelayMs } from '@celeriac/core';

/** An error class, e.g. `TypeError` or your own `class Flaky extends Error {}`. */
export type ErrorClass = abstract new (...args: never[]) => unknown;

/** Which errors retry a task by themselves: error classes (instanceof), or a predicate. */
export type AutoRetryFor = readonly ErrorClass[] | ((error: unknown) => boolean);

/** A task's retry settings, as Celery's task attributes (`max_retries`, `autoretry_for`, ...). */
export interface RetryPolicy {
  /** Retries before the task FAILs with its last error; null retries forever. @default 3 */
  maxRetries: number | null;
  /** Errors that retry the task as if the handler had called `ctx.retry({ error })`. @default [] */
  autoRetryFor: AutoRetryFor;
  /**
   * Exponential back-off with full jitter for retries without a countdown: retry n waits a random
   * 0 .. min(retryBackoffMaxMs, 1 s × 2^n). @default true
   */
  retryBackoff: boolean;
  /** Upper bound of a back-off delay. @default 600 000 (Celery's retry_backoff_max) */
  retryBackoffMaxMs: number;
  /** Delay of a retry without a countdown when retryBackoff is false. @default 180 000 (Celery's default_retry_delay) */
  defaultRetryDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: Readonly<RetryPolicy> = Object.freeze({
  maxRetries: 3,
  autoRetryFor: [],
  retryBackoff: true,
  retryBackoffMaxMs: 600_000,
  defaultRetryDelayMs: 180_000,
});

/** Fills in the defaults and refuses settings that cannot work (a ConfigurationError naming the task). */
export function compileRetryPolicy(task: string, options: Partial<RetryPolicy>): RetryPolicy {
  const { maxRetries, autoRetryFor, retryBackoff, retryBackoffMaxMs, defaultRetryDelayMs } = options;
  const policy = {
    ...DEFAULT_RETRY_POLICY,
    ...definedOnly({ maxRetries, autoRetryFor, retryBackoff, retryBackoffMaxMs, defaultRetryDelayMs }),
  };
  const fail = (message: string) => new ConfigurationError(`task ${task}: ${message}`);
  if (policy.maxRetries !== null && !(Number.isInteger(policy.maxRetries) && policy.maxRetries >= 0))
    throw fail('maxRetries must be an integer >= 0 or null');
  if (!isAutoRetryFor(policy.autoRetryFor)) throw fail('autoRetryFor must be an array of error classes or a function');
  if (typeof policy.retryBackoff !== 'boolean') throw fail('retryBackoff must be true or false');
  if (!isDuration(policy.retryBackoffMaxMs)) throw fail('retryBackoffMaxMs must be a number of milliseconds >= 0');
  if (!isDuration(policy.defaultRetryDelayMs)) throw fail('defaultRetryDelayMs must be a number of milliseconds >= 0');
  return policy;
}

/** Whether `error` retries the task by itself (autoRetryFor). */
export function shouldAutoRetry(policy: Pick<RetryPolicy, 'autoRetryFor'>, error: unknown): boolean {
  const match = policy.autoRetryFor;
  if (typeof match === 'function') return match(error) === true;
  return match.some((errorClass) => error instanceof errorClass);
}

/** How long retry number `retries + 1` waits: the countdown if given, else back-off or the default delay. */
export function retryDelayMs(policy: RetryPolicy, retries: number, countdownMs?: number): number {
  if (countdownMs !== undefined) return countdownMs;
  if (!policy.retryBackoff) return policy.defaultRetryDelayMs;
  return backoffDelayMs(retries, { baseMs: 1000, maxMs: policy.retryBackoffMaxMs, jitter: true });
}

function isAutoRetryFor(value: unknown): value is AutoRetryFor {
  return typeof value === 'function' || (Array.isArray(value) && value.every((item) => typeof item === 'function'));
}

function isDuration(value: unknown): boolean {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0;
}

/** `{ maxRetries: undefined }` means "the default", not "no value". */
function definedOnly<T extends object>(options: T): Partial<T> {
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined)) as Partial<T>;
}
