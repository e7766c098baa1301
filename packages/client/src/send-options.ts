import { Canvas, InvalidArgumentError, type AnyCanvas } from '@celeriac/core';
import { parseCeleryDate, type Signature, type TaskMessageInput } from '@celeriac/protocol';

/** How to send one task. Times follow Celery: `countdown` and numeric `expires` are seconds. */
export interface SendOptions {
  /** Use this id instead of a new uuid4, e.g. to make a publish idempotent. */
  taskId?: string;
  /** Queue to route to. @default the client's defaultQueue ('celery') */
  queue?: string;
  /** 0–255; takes effect only on queues declared with `x-max-priority`. */
  priority?: number;
  /** Run no earlier than this many seconds from now. */
  countdown?: number;
  /** Run no earlier than this time (a Date or an ISO-8601 string). */
  eta?: Date | string;
  /** Discard the task if it has not started by then: seconds from now, or a Date / ISO string. */
  expires?: number | Date | string;
  /** Extra message headers; a Python task sees them on `self.request`. */
  headers?: Record<string, unknown>;
  /** Ask the worker not to store a SUCCESS state (failures are still reported). */
  ignoreResult?: boolean;
  /**
   * Time limits for this run, overriding the task's and the worker's (Celery's `time_limit` and
   * `soft_time_limit`); sent as the `timelimit` header in seconds, which Python workers honour too.
   */
  timeLimit?: { hardMs?: number; softMs?: number };
  /** Sent with the result as first argument once the task succeeds (Celery's `link`). */
  link?: AnyCanvas | readonly AnyCanvas[];
  /** Sent with the task's id if it fails (Celery's `link_error`). */
  linkError?: AnyCanvas | readonly AnyCanvas[];
}

/** Send options checked and turned into absolute times, as Celery's client does before publishing. */
export interface CompiledSendOptions {
  taskId: string | undefined;
  queue: string | undefined;
  priority: number | undefined;
  eta: Date | null;
  expires: Date | null;
  headers: Record<string, unknown>;
  ignoreResult: boolean;
  /** Seconds, as on the wire. */
  timeLimit: { hard: number | null; soft: number | null };
  /** The embed's callbacks and errbacks, as signatures on the wire. */
  link: Signature[];
  linkError: Signature[];
}

/**
 * A send given no options at all (most of a burst's): compiled once, frozen. Building it per send
 * was five objects (the options, headers, time limit, link and linkError lists).
 */
const NO_OPTIONS: CompiledSendOptions = Object.freeze({
  taskId: undefined,
  queue: undefined,
  priority: undefined,
  eta: null,
  expires: null,
  headers: Object.freeze({}),
  ignoreResult: false,
  timeLimit: Object.freeze({ hard: null, soft: null }),
  link: Object.freeze([]) as unknown as Signature[],
  linkError: Object.freeze([]) as unknown as Signature[],
});

export function compileSendOptions(options: SendOptions, now: Date): CompiledSendOptions {
  if (hasNoKeys(options)) return NO_OPTIONS;
  if (options.countdown !== undefined && options.eta !== undefined)
    throw new InvalidArgumentError('give either countdown or eta, not both');
  return {
    taskId: optionalName(options.taskId, 'taskId'),
    queue: optionalName(options.queue, 'queue'),
    priority: priority(options.priority),
    eta:
      options.countdown !== undefined
        ? secondsFrom(now, options.countdown, 'countdown')
        : dateOption(options.eta, 'eta'),
    expires:
      typeof options.expires === 'number'
        ? secondsFrom(now, options.expires, 'expires')
        : dateOption(options.expires, 'expires'),
    headers: headers(options.headers),
    ignoreResult: options.ignoreResult ?? false,
    timeLimit: timeLimit(options.timeLimit),
    link: callbacks(options.link, 'link'),
    linkError: callbacks(options.linkError, 'linkError'),
  };
}

/** What the protocol encodes for a send: `base` (who and what) with the send's options, as one object. */
export function taskInput(
  base: Pick<TaskMessageInput, 'id' | 'name' | 'args' | 'kwargs' | 'origin' | 'replyTo'>,
  options: CompiledSendOptions,
): TaskMessageInput {
  const { priority, eta, expires, headers, ignoreResult, timeLimit, link, linkError } = options;
  const embed =
    link.length || linkError.length
      ? { callbacks: link.length ? link : null, errbacks: linkError.length ? linkError : null }
      : undefined;
  const { id, name, args, kwargs, origin, replyTo } = base;
  return { id, name, args, kwargs, origin, replyTo, priority, eta, expires, headers, ignoreResult, timeLimit, embed };
}

function hasNoKeys(options: SendOptions): boolean {
  for (const _key in options) return false;
  return true;
}

function callbacks(value: unknown, field: string): Signature[] {
  if (value === undefined) return [];
  const list: unknown[] = Array.isArray(value) ? value : [value];
  if (list.every((item) => item instanceof Canvas)) return list.map((item) => (item as AnyCanvas).toSignature());
  throw new InvalidArgumentError(`${field} must be a signature or a list of signatures, e.g. notify.s()`);
}

function optionalName(value: unknown, field: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'string' && value.length > 0 && value.length <= 255) return value;
  throw new InvalidArgumentError(`${field} must be a non-empty string of at most 255 characters`);
}

function priority(value: unknown): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 255) return value;
  throw new InvalidArgumentError(`priority must be an integer from 0 to 255, got ${JSON.stringify(value)}`);
}

function timeLimit(value: unknown): { hard: number | null; soft: number | null } {
  if (value === undefined) return { hard: null, soft: null };
  if (typeof value !== 'object' || value === null)
    throw new InvalidArgumentError('timeLimit must be { hardMs?, softMs? }');
  const { hardMs, softMs } = value as { hardMs?: unknown; softMs?: unknown };
  return { hard: limitSeconds(hardMs, 'timeLimit.hardMs'), soft: limitSeconds(softMs, 'timeLimit.softMs') };
}

function limitSeconds(ms: unknown, field: string): number | null {
  if (ms === undefined) return null;
  if (typeof ms === 'number' && Number.isFinite(ms) && ms > 0) return ms / 1000;
  throw new InvalidArgumentError(`${field} must be a number of milliseconds > 0, got ${JSON.stringify(ms)}`);
}

function secondsFrom(now: Date, seconds: unknown, field: string): Date {
  if (typeof seconds === 'number' && Number.isFinite(seconds) && seconds >= 0)
    return new Date(now.getTime() + seconds * 1000);
  throw new InvalidArgumentError(`${field} must be a number of seconds >= 0, got ${JSON.stringify(seconds)}`);
}

function dateOption(value: unknown, field: string): Date | null {
  if (value === undefined || value === null) return null;
  const date = value instanceof Date ? value : typeof value === 'string' ? parseCeleryDate(value) : null;
  if (date && !Number.isNaN(date.getTime())) return date;
  throw new InvalidArgumentError(`${field} must be a Date or an ISO-8601 string, got ${JSON.stringify(value)}`);
}

/** Protocol headers a custom header must not replace. */
const RESERVED_HEADERS = new Set([
  'lang',
  'task',
  'id',
  'shadow',
  'eta',
  'expires',
  'group',
  'group_index',
  'retries',
  'timelimit',
  'root_id',
  'parent_id',
  'argsrepr',
  'kwargsrepr',
  'origin',
  'ignore_result',
  'compression',
]);

function headers(value: unknown): Record<string, unknown> {
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new InvalidArgumentError('headers must be an object');
  const clash = Object.keys(value).find((key) => RESERVED_HEADERS.has(key));
  if (clash)
    throw new InvalidArgumentError(
      `header "${clash}" is part of the task protocol; use the matching send option instead`,
    );
  return { ...(value as Record<string, unknown>) };
}
