/**
 * Soft and hard time limits, as Celery's `soft_time_limit` / `time_limit`: the errors a handler
 * meets, the options that set them, and which limits are in force for one run. Enforcing them is
 * TimeLimitExecutor's (time-limit-executor.ts).
 *
 * Where a limit comes from, per limit: the message's `timelimit` header `[hard, soft]` (seconds,
 * sent by any Celery-speaking client), else the task's `softTimeLimitMs` / `timeLimitMs`, else
 * the worker's. A missing or zero value falls through, as in Celery.
 */
import { CELERY_EXCEPTIONS_MODULE, type TimeLimit } from '@celeriac/protocol';
import { ConfigurationError, MAX_TIMER_MS } from '@celeriac/core';

/** Raised into a handler through `ctx.signal` when its soft time limit passes; it may be caught. */
export class SoftTimeLimitExceeded extends Error {
  override name = 'SoftTimeLimitExceeded';
  /** Reported as Celery's own class, so a Python caller gets `celery.exceptions.SoftTimeLimitExceeded`. */
  readonly excModule = CELERY_EXCEPTIONS_MODULE;

  constructor(readonly seconds: number) {
    super(`soft time limit (${seconds}s) exceeded`);
  }
}

/** The hard time limit passed: the task FAILed with this and its slot was freed. */
export class TimeLimitExceeded extends Error {
  override name = 'TimeLimitExceeded';
  readonly excModule = CELERY_EXCEPTIONS_MODULE;

  constructor(readonly seconds: number) {
    // billiard's str(): "TimeLimitExceeded(<args>,)".
    super(`TimeLimitExceeded(${seconds},)`);
  }
}

/** Whether a `kill` signal's reason is a hard time limit. */
export function isHardTimeLimit(reason: unknown): reason is TimeLimitExceeded {
  return reason instanceof TimeLimitExceeded;
}

/** Per-task (register options) or worker-wide (WorkerOptions) limits; a message's `timelimit` wins. */
export interface TimeLimitsMs {
  /** After this long the handler's `ctx.signal` aborts with SoftTimeLimitExceeded. @default null (none) */
  softTimeLimitMs: number | null;
  /** After this long the task FAILs with TimeLimitExceeded and its slot is freed. @default null (none) */
  timeLimitMs: number | null;
}

/** Checks limits given as options; `owner` names them in the error ("task x", "worker"). */
export function compileTimeLimits(owner: string, options: Partial<TimeLimitsMs>): TimeLimitsMs {
  return {
    softTimeLimitMs: limitOption(owner, options.softTimeLimitMs, 'softTimeLimitMs'),
    timeLimitMs: limitOption(owner, options.timeLimitMs, 'timeLimitMs'),
  };
}

function limitOption(owner: string, value: unknown, field: string): number | null {
  if (value === undefined || value === null) return null;
  if (typeof value === 'number' && Number.isFinite(value) && value > 0) return value;
  throw new ConfigurationError(
    `${owner}: ${field} must be a number of milliseconds > 0 or null, got ${JSON.stringify(value)}`,
  );
}

/** One limit in force: `seconds` as it is reported (a peer's header value, unchanged). */
export interface Limit {
  ms: number;
  seconds: number;
}

export interface EffectiveLimits {
  soft: Limit | null;
  hard: Limit | null;
}

/** The limits for one run: the message's, else the task's, else the worker's, limit by limit. */
export function effectiveLimits(message: TimeLimit, task: TimeLimitsMs, worker: TimeLimitsMs): EffectiveLimits {
  return {
    soft: firstLimit(message.soft, task.softTimeLimitMs, worker.softTimeLimitMs),
    hard: firstLimit(message.hard, task.timeLimitMs, worker.timeLimitMs),
  };
}

function firstLimit(seconds: number | null, taskMs: number | null, workerMs: number | null): Limit | null {
  if (seconds) return armable({ ms: seconds * 1000, seconds });
  const ms = taskMs || workerMs;
  return ms ? armable({ ms, seconds: ms / 1000 }) : null;
}

/** Node fires longer timers at once; a limit beyond MAX_TIMER_MS (from a peer's header) is no limit. */
function armable(limit: Limit): Limit | null {
  return limit.ms <= MAX_TIMER_MS ? limit : null;
}
