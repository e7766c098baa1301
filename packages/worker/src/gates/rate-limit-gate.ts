import { setTimeout as sleep } from 'node:timers/promises';
import type { Job } from '../job.js';
import type { Gate } from './gate.js';
import type { RateLimits } from './rate-limits.js';

/** Waits are cut into pieces this long, so a new limit or a stopping worker is seen soon. */
const RECHECK_MS = 250;

/** Something that hands out starts of a task at a limited rate. */
export interface StartTokens {
  /** Whether starts of this task are limited at all; most are not, and pass without a wait. */
  limits(name: string): boolean;
  /** Resolves once the task may start (or the worker is stopping). */
  acquire(name: string, stopping: () => boolean): Promise<void>;
}

/**
 * Holds a task until its rate limit lets it start, as Celery's consumer does: the message stays
 * unacked in the worker's prefetch, the task holds no execution slot, and tasks of other names
 * go by. Tasks of one name start in arrival order. A stopping worker lets waiters through at
 * once: the next stage hands their messages back to the queue.
 */
export class RateLimitGate implements Gate {
  /** Per task name, the end of its line of waiters. */
  readonly #lines = new Map<string, Promise<void>>();

  constructor(
    private readonly tokens: StartTokens,
    private readonly stopping: () => boolean,
  ) {}

  admit(job: Job): 'run' | Promise<'run'> {
    const name = job.task.name;
    // The common case costs a lookup, not a promise chain: nothing limits it, and no one waits.
    return !this.tokens.limits(name) && !this.#lines.has(name) ? 'run' : this.#inLine(name);
  }

  async #inLine(name: string): Promise<'run'> {
    const turn = (this.#lines.get(name) ?? Promise.resolve()).then(() => this.tokens.acquire(name, this.stopping));
    this.#lines.set(name, turn);
    await turn;
    if (this.#lines.get(name) === turn) this.#lines.delete(name);
    return 'run';
  }
}

/** Tokens from the worker's own buckets (Celery's per-worker limit). */
export class LocalTokens implements StartTokens {
  constructor(private readonly buckets: RateLimits) {}

  limits(name: string): boolean {
    return this.buckets.bucket(name) !== null;
  }

  async acquire(name: string, stopping: () => boolean): Promise<void> {
    // The bucket is looked up each time: `control rate_limit` may have replaced it meanwhile.
    for (let bucket = this.buckets.bucket(name); bucket && !bucket.take(); bucket = this.buckets.bucket(name)) {
      if (stopping()) return;
      await sleep(Math.min(bucket.waitMs(), RECHECK_MS));
    }
  }
}
