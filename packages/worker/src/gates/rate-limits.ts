import { TokenBucket, parseRateLimit, type RateLimit } from '@celeriac/core';
import type { TaskRegistry } from '../task-registry.js';

/**
 * The worker's rate limits, one token bucket per task name (Celery's `task_buckets`): from the
 * task's registration, until `control rate_limit` sets another. Kept across reconnects.
 */
export class RateLimits {
  /** Limits set at run time; they win over the registration. */
  readonly #overrides = new Map<string, RateLimit | null>();
  readonly #buckets = new Map<string, TokenBucket | null>();

  constructor(
    private readonly tasks: Pick<TaskRegistry, 'get'>,
    private readonly now: () => number = Date.now,
  ) {}

  /** The limit in force for a task, as written (null: none). */
  limitOf(name: string): RateLimit | null {
    if (this.#overrides.has(name)) return this.#overrides.get(name) ?? null;
    return this.tasks.get(name)?.options.rateLimit ?? null;
  }

  /** The task's bucket, or null when it has no limit. */
  bucket(name: string): TokenBucket | null {
    if (!this.#buckets.has(name)) this.#buckets.set(name, this.#build(name));
    return this.#buckets.get(name) ?? null;
  }

  /** `control rate_limit`: the new limit applies to the next start (a fresh, full bucket). Throws RateLimitError. */
  set(name: string, limit: RateLimit | null): void {
    parseRateLimit(limit);
    this.#overrides.set(name, limit);
    this.#buckets.delete(name);
  }

  #build(name: string): TokenBucket | null {
    const perSecond = parseRateLimit(this.limitOf(name));
    return perSecond === null ? null : new TokenBucket(perSecond, this.now);
  }
}
