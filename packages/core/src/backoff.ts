/**
 * Retry delays: exponential back-off with full jitter (the AWS "full jitter" scheme, and
 * Celery's `retry_backoff` + `retry_jitter`): the n-th retry waits a random time between 0 and
 * min(max, base × 2^n). Full jitter spreads a burst of failures out instead of retrying them
 * in lock-step against a struggling dependency.
 */
export interface BackoffOptions {
  /** Delay before the first retry, before jitter. @default 1000 */
  baseMs: number;
  /** Upper bound of any delay. @default 600 000 (Celery's retry_backoff_max) */
  maxMs: number;
  /** Draw the delay uniformly from [0, computed]. @default true */
  jitter: boolean;
}

export const DEFAULT_BACKOFF: Readonly<BackoffOptions> = Object.freeze({ baseMs: 1000, maxMs: 600_000, jitter: true });

/** Delay before retry number `retries + 1` (retries = 0 on the first failure). */
export function backoffDelayMs(
  retries: number,
  options: BackoffOptions = DEFAULT_BACKOFF,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(options.maxMs, options.baseMs * 2 ** Math.max(0, retries));
  return Math.round(options.jitter ? random() * ceiling : ceiling);
}
