/**
 * Stage 1 → stage 2: a schedule as a user gives it (file, CLI, AMQP command — so untrusted, every
 * field is checked at run time) to a definition with defaults applied. Errors are
 * InvalidArgumentErrors whose message names the schedule and the field.
 */
import { InvalidArgumentError } from '../errors.js';
import { assertTaskName } from '../task-contract.js';
import { compileSpec } from './spec.js';
import { canvasOfSchedule } from '../canvas.js';
import type { MissedRunPolicy, ScheduleDefinition, ScheduleInput, ScheduleTaskOptions } from '@celeriac/protocol';

export const MAX_NAME_LENGTH = 200;
export const DEFAULT_MAX_CATCH_UP = 100;
export const MAX_CATCH_UP_LIMIT = 10_000;
const POLICIES: readonly MissedRunPolicy[] = ['skip', 'once', 'all'];
const OPTION_KEYS = ['queue', 'priority', 'expires'];
// eslint-disable-next-line no-control-regex -- finding control characters in names is the point
const CONTROL_CHARS = /[\u0000-\u001f\u007f-\u009f]/;

/** Validates `input` and applies defaults; `now` anchors an interval without an explicit anchor. */
export function compileScheduleInput(input: ScheduleInput, now: Date = new Date()): ScheduleDefinition {
  if (!isRecord(input)) throw new InvalidArgumentError(`invalid schedule ${JSON.stringify(input)}: expected an object`);
  const name = compileName(input.name);
  const fail = (field: string, reason: string) =>
    new InvalidArgumentError(`schedule '${name}': invalid ${field}: ${reason}`);
  const task = compileTask(input.task, fail);
  const kwargs = compileKwargs(input.kwargs, fail);
  checkCanvas(task, kwargs, fail);
  return {
    name,
    task,
    schedule: withName(name, () => compileSpec(input.schedule, now)),
    args: compileArgs(input.args, fail),
    kwargs,
    options: compileOptions(input.options, fail),
    enabled: compileEnabled(input.enabled, fail),
    missedRuns: compilePolicy(input.missedRuns, fail),
    maxCatchUp: compileMaxCatchUp(input.maxCatchUp, fail),
  };
}

type Fail = (field: string, reason: string) => InvalidArgumentError;

export function compileName(name: unknown): string {
  if (typeof name !== 'string' || name.length === 0 || name.length > MAX_NAME_LENGTH || CONTROL_CHARS.test(name)) {
    throw new InvalidArgumentError(
      `invalid schedule name ${JSON.stringify(name)}: expected 1 to ${MAX_NAME_LENGTH} characters without control characters`,
    );
  }
  return name;
}

/** Prefixes a spec error with the schedule's name, keeping the error's class and code. */
function withName<T>(name: string, compile: () => T): T {
  try {
    return compile();
  } catch (error) {
    if (error instanceof InvalidArgumentError) throw new InvalidArgumentError(`schedule '${name}': ${error.message}`);
    throw error;
  }
}

function compileTask(task: unknown, fail: Fail): string {
  try {
    assertTaskName(task);
    return task;
  } catch (error) {
    throw fail('task', error instanceof Error ? error.message : String(error));
  }
}

/** A chain or group stored as Celery's `celery.chain` / `celery.group` must hold valid signatures. */
function checkCanvas(task: string, kwargs: Record<string, unknown>, fail: Fail): void {
  try {
    canvasOfSchedule(task, kwargs);
  } catch (error) {
    throw fail('kwargs', error instanceof Error ? error.message : String(error));
  }
}

function compileArgs(args: unknown, fail: Fail): unknown[] {
  if (args === undefined) return [];
  if (!Array.isArray(args)) throw fail('args', `expected an array, got ${JSON.stringify(args)}`);
  return jsonCopy(args, 'args', fail);
}

function compileKwargs(kwargs: unknown, fail: Fail): Record<string, unknown> {
  if (kwargs === undefined) return {};
  if (!isRecord(kwargs)) throw fail('kwargs', `expected an object, got ${JSON.stringify(kwargs)}`);
  return jsonCopy(kwargs, 'kwargs', fail);
}

/** A deep copy through JSON, so the definition is JSON-safe and does not alias the input. */
function jsonCopy<T>(value: T, field: string, fail: Fail): T {
  try {
    return JSON.parse(JSON.stringify(value)) as T;
  } catch (error) {
    throw fail(field, `not JSON-serializable (${error instanceof Error ? error.message : String(error)})`);
  }
}

function compileOptions(options: unknown, fail: Fail): ScheduleTaskOptions {
  if (options === undefined) return {};
  if (!isRecord(options)) throw fail('options', `expected an object, got ${JSON.stringify(options)}`);
  const unknown = Object.keys(options).find((key) => !OPTION_KEYS.includes(key));
  if (unknown !== undefined) throw fail('options', `unknown option '${unknown}' (expected ${OPTION_KEYS.join(', ')})`);
  const result: ScheduleTaskOptions = {};
  if (options.queue !== undefined) result.queue = compileQueue(options.queue, fail);
  if (options.priority !== undefined) result.priority = compilePriority(options.priority, fail);
  if (options.expires !== undefined) result.expires = compileExpires(options.expires, fail);
  return result;
}

function compileQueue(queue: unknown, fail: Fail): string {
  if (typeof queue !== 'string' || queue.length === 0 || queue.length > 255)
    throw fail('options.queue', `expected a queue name of 1 to 255 characters, got ${JSON.stringify(queue)}`);
  return queue;
}

function compilePriority(priority: unknown, fail: Fail): number {
  if (typeof priority !== 'number' || !Number.isInteger(priority) || priority < 0 || priority > 255)
    throw fail('options.priority', `expected an integer from 0 to 255, got ${JSON.stringify(priority)}`);
  return priority;
}

function compileExpires(expires: unknown, fail: Fail): number {
  if (typeof expires !== 'number' || !Number.isFinite(expires) || expires <= 0)
    throw fail('options.expires', `expected a number of seconds > 0, got ${JSON.stringify(expires)}`);
  return expires;
}

function compileEnabled(enabled: unknown, fail: Fail): boolean {
  if (enabled === undefined) return true;
  if (typeof enabled !== 'boolean') throw fail('enabled', `expected true or false, got ${JSON.stringify(enabled)}`);
  return enabled;
}

function compilePolicy(policy: unknown, fail: Fail): MissedRunPolicy {
  if (policy === undefined) return 'once';
  if (!POLICIES.includes(policy as MissedRunPolicy))
    throw fail('missedRuns', `expected 'skip', 'once' or 'all', got ${JSON.stringify(policy)}`);
  return policy as MissedRunPolicy;
}

function compileMaxCatchUp(max: unknown, fail: Fail): number {
  if (max === undefined) return DEFAULT_MAX_CATCH_UP;
  if (typeof max !== 'number' || !Number.isInteger(max) || max < 1 || max > MAX_CATCH_UP_LIMIT)
    throw fail('maxCatchUp', `expected an integer from 1 to ${MAX_CATCH_UP_LIMIT}, got ${JSON.stringify(max)}`);
  return max;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
