/**
 * Soft and hard time limits, as Celery's `soft_time_limit` / `time_limit`, for any pool: a
 * TaskExecutor wrapper around the executor that really runs the handler. Which limits apply to a
 * run is decided in time-limits.ts.
 *
 * - Soft: the handler's `ctx.signal` aborts with a SoftTimeLimitExceeded as its reason, so
 *   `ctx.signal.throwIfAborted()` throws it; a handler may catch it, clean up and still return.
 * - Hard: the task is reported FAILURE TimeLimitExceeded at once and its slot is freed. The
 *   handler's promise is no longer awaited.
 *
 * Contract with the executor beneath (the inline pool, a child pool), `execute(job, signal,
 * kill)`:
 * - `signal` is the handler's `ctx.signal`. Forward its abort, with its reason, to the handler
 *   (SoftTimeLimitExceeded, TaskRevokedError 'terminated', the shutdown error). Do not stop the
 *   work because of it: the handler decides.
 * - `kill` fires when nobody waits for the work any more and it must stop now: its reason is a
 *   TimeLimitExceeded (hard limit; see `isHardTimeLimit`), a TaskRevokedError (revoke with
 *   terminate, which in Celery kills the child process) or the worker's shutdown error. A pool
 *   that can stop the work (the thread pool terminates its thread) does so and then resolves
 *   with any outcome: the wrapper that fired `kill` decides what is reported. The inline pool
 *   cannot stop a JavaScript async function; it ignores `kill` and the handler runs on detached
 *   until it returns (logged as a warning when a hard limit fires).
 */
import { CELERY_EXCEPTIONS_MODULE, TaskState } from '@celeriac/protocol';
import type { Job } from '../job.js';
import { anySignal } from './any-signal.js';
import type { TaskExecutor } from './task-executor.js';
import type { TaskOutcome } from './task-outcome.js';
import {
  SoftTimeLimitExceeded,
  TimeLimitExceeded,
  effectiveLimits,
  type EffectiveLimits,
  type Limit,
  type TimeLimitsMs,
} from './time-limits.js';
import type { TimeLimitOverrides } from './time-limit-overrides.js';

/** Enforces time limits around another executor (see the file header for the contract). */
export class TimeLimitExecutor implements TaskExecutor {
  constructor(
    private readonly inner: TaskExecutor,
    private readonly worker: TimeLimitsMs,
    /** Whether the inner pool can stop this job's handler on `kill` (only changes what is logged). */
    private readonly canKill: boolean | ((job: Job) => boolean),
    /** Limits set at run time (`control time_limit`), in place of a task's registered ones. */
    private readonly overrides: Pick<TimeLimitOverrides, 'for'> = { for: (task) => task.options },
  ) {}

  execute(job: Job, signal?: AbortSignal, kill: AbortSignal | undefined = signal): Promise<TaskOutcome> {
    const limits = effectiveLimits(job.task.timeLimit, this.overrides.for(job.registered), this.worker);
    // Not an async function: wrapping the inner run's promise in another cost every task a promise and three microtasks.
    if (!limits.soft && !limits.hard) return this.inner.execute(job, signal, kill);
    return this.#limited(job, limits, signal, kill);
  }

  async #limited(job: Job, limits: EffectiveLimits, signal?: AbortSignal, kill?: AbortSignal): Promise<TaskOutcome> {
    const soft = new AbortController();
    const hard = new AbortController();
    const timers = this.#arm(job, limits, soft, hard);
    try {
      const own = job.abort.signal;
      const running = this.inner.execute(
        job,
        anySignal([signal ?? own, soft.signal]),
        anySignal([kill ?? own, hard.signal]),
      );
      // race() subscribes to `running`: a rejection after the hard limit is not left unhandled.
      return await Promise.race([running, hardLimitOutcome(hard.signal)]);
    } finally {
      for (const timer of timers) clearTimeout(timer);
    }
  }

  #arm(job: Job, limits: EffectiveLimits, soft: AbortController, hard: AbortController): NodeJS.Timeout[] {
    const timers: NodeJS.Timeout[] = [];
    const { soft: softLimit, hard: hardLimit } = limits;
    if (softLimit) timers.push(setTimeout(() => this.#soft(job, soft, softLimit), softLimit.ms));
    if (hardLimit) timers.push(setTimeout(() => this.#hard(job, soft, hard, hardLimit), hardLimit.ms));
    return timers;
  }

  #soft(job: Job, soft: AbortController, limit: Limit): void {
    job.logger.log('warn', `soft time limit (${limit.seconds}s) exceeded; the task's signal is aborted`, {
      softTimeLimitS: limit.seconds,
    });
    soft.abort(new SoftTimeLimitExceeded(limit.seconds));
  }

  #hard(job: Job, soft: AbortController, hard: AbortController, limit: Limit): void {
    const error = new TimeLimitExceeded(limit.seconds);
    const canKill = typeof this.canKill === 'function' ? this.canKill(job) : this.canKill;
    const detached = canKill
      ? ''
      : '; an async handler cannot be killed in the inline pool and keeps running detached until it returns';
    job.logger.log(
      'error',
      `hard time limit (${limit.seconds}s) exceeded: the task fails and its slot is freed${detached}`,
      { timeLimitS: limit.seconds },
    );
    // The handler's own signal fires too (unless the soft limit already fired it), so a handler
    // that checks it stops even though nobody waits for it any more.
    if (!soft.signal.aborted) soft.abort(error);
    hard.abort(error);
  }
}

/** Resolves with the FAILURE Celery stores for a hard limit once `hard` fires. */
function hardLimitOutcome(hard: AbortSignal): Promise<TaskOutcome> {
  return new Promise((resolve) => {
    hard.addEventListener('abort', () => resolve(timeLimitFailure(hard.reason as TimeLimitExceeded)), { once: true });
  });
}

/** `{exc_type: 'TimeLimitExceeded', exc_message: [seconds]}`: Python rebuilds `TimeLimitExceeded(1.5)`. */
export function timeLimitFailure(error: TimeLimitExceeded): TaskOutcome {
  const result = { exc_type: 'TimeLimitExceeded', exc_message: [error.seconds], exc_module: CELERY_EXCEPTIONS_MODULE };
  return { state: TaskState.FAILURE, result, traceback: null, error };
}
