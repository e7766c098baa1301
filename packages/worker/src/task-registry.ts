import {
  ConfigurationError,
  RateLimitError,
  assertTaskName,
  compileParams,
  parseRateLimit,
  type RateLimit,
  type ArgsOf,
  type ResultOf,
  type TaskContract,
  type TaskParam,
} from '@celeriac/core';
import type { TaskContext } from './execution/task-context.js';
import { compileTimeLimits, type TimeLimitsMs } from './execution/time-limits.js';
import { compileRetryPolicy, type RetryPolicy } from './retry/retry-policy.js';

/**
 * A task's implementation: its arguments in order, then the context. With named parameters (a
 * contract's `params`, or `params` when registering by name) a caller's kwargs are bound to them
 * first, as Python binds them; without, kwargs only reach `ctx.kwargs`.
 */
export type TaskHandler<Args extends readonly unknown[] = unknown[], Result = unknown> = (
  ...params: [...Args, TaskContext]
) => Result | Promise<Result>;

/**
 * Per-task options; the retry ones (maxRetries, autoRetryFor, retryBackoff, ...) are documented on
 * RetryPolicy, the time limits (softTimeLimitMs, timeLimitMs) on TimeLimitsMs.
 */
export interface TaskOptions extends Partial<RetryPolicy>, Partial<TimeLimitsMs> {
  /** Never report SUCCESS for this task (failures are still reported). @default false */
  ignoreResult?: boolean;
  /**
   * Acknowledge after the outcome is reported (true: at-least-once, a crash re-runs the task) or
   * just before the handler starts (false: at-most-once, a crash loses the task; for work that
   * must not run twice and is not idempotent). @default true
   */
  acksLate?: boolean;
  /**
   * Celery's rate_limit: `'10/s'`, `'100/m'`, `'1000/h'` or a number (per second). A token bucket
   * of capacity one per worker, so N workers start up to N × this. Waiting tasks stay unacked in
   * the worker's prefetch and hold no execution slot. Changed at run time by `control rate_limit`.
   * @default null (no limit)
   */
  rateLimit?: RateLimit | null;
  /**
   * A limit shared by every worker of this task, on any host (Celeriac's own; tokens in a
   * RabbitMQ queue, see the README). Applies on top of `rateLimit`. @default null (no limit)
   */
  globalRateLimit?: RateLimit | null;
  /**
   * Where the handler runs. true: in a child of the worker's pool (a worker thread, or a process
   * with pool 'processes'), even on an inline worker: for handlers that compute synchronously
   * (render a PDF, crunch a report), which would hold the event loop that carries the worker's
   * heartbeats and acks. false: on the worker's event loop, even on a threads worker: for async,
   * I/O-bound handlers (least overhead, state shared with the process). Running in a child needs
   * the worker's appModule (the CLI passes --app). @default null (the worker's pool decides)
   */
  cpu?: boolean | null;
}

/** Registering by name: the task's options, and its parameter names as defineTask takes them. */
export interface NamedTaskOptions extends TaskOptions {
  /** e.g. `['order_id', 'note?']`: kwargs bind to these names (see defineTask). */
  params?: readonly string[];
}

export interface RegisteredTask {
  readonly name: string;
  readonly handler: TaskHandler<readonly unknown[], unknown>;
  readonly options: Readonly<Required<TaskOptions>>;
  /** Set when the task names its parameters: the handler gets args and kwargs bound to them. */
  readonly params?: readonly TaskParam[];
}

/**
 * The tasks a worker may run. Only names registered here ever execute; anything else is
 * answered NotRegistered and dead-lettered.
 *
 * ```ts
 * export default new TaskRegistry().register(add, async (x, y) => x + y);
 * ```
 */
export class TaskRegistry {
  readonly #tasks = new Map<string, RegisteredTask>();

  register<C extends TaskContract<readonly unknown[], unknown>>(
    contract: C,
    handler: TaskHandler<ArgsOf<C>, ResultOf<C>>,
    options?: TaskOptions,
  ): this;
  // Generic so that a handler's own parameter list, e.g. `(order: unknown, ctx: TaskContext)`, is
  // accepted: a fixed `[...unknown[], TaskContext]` only admitted `(...params) => ...`.
  register<Args extends readonly unknown[]>(
    name: string,
    handler: TaskHandler<Args, unknown>,
    options?: NamedTaskOptions,
  ): this;
  register(
    target: string | TaskContract<readonly unknown[], unknown>,
    handler: TaskHandler<never[], unknown>,
    options: NamedTaskOptions = {},
  ): this {
    const name = typeof target === 'string' ? target : target.name;
    assertTaskName(name);
    if (typeof handler !== 'function') throw new TypeError(`the handler for ${name} must be a function`);
    if (this.#tasks.has(name)) throw new TypeError(`task ${name} is already registered`);
    const handle = handler as unknown as RegisteredTask['handler'];
    const { params: names, ...taskOptions } = options;
    const params =
      typeof target === 'string' ? (names === undefined ? undefined : compileParams(name, names)) : target.params;
    this.#tasks.set(name, {
      name,
      handler: handle,
      options: registeredOptions(name, taskOptions),
      ...(params ? { params } : {}),
    });
    return this;
  }

  get(name: string): RegisteredTask | undefined {
    return this.#tasks.get(name);
  }

  names(): string[] {
    return [...this.#tasks.keys()].sort();
  }
}

function registeredOptions(name: string, options: TaskOptions): Required<TaskOptions> {
  return {
    ignoreResult: options.ignoreResult ?? false,
    acksLate: options.acksLate ?? true,
    ...compileRetryPolicy(name, options),
    ...compileTimeLimits(`task ${name}`, options),
    rateLimit: checkedRateLimit(name, 'rateLimit', options.rateLimit),
    globalRateLimit: checkedRateLimit(name, 'globalRateLimit', options.globalRateLimit),
    cpu: checkedCpu(name, options.cpu),
  };
}

/** Refused at registration, so a typo never reaches a running worker. */
function checkedRateLimit(name: string, field: string, value: RateLimit | null | undefined): RateLimit | null {
  try {
    return parseRateLimit(value) === null ? null : (value as RateLimit);
  } catch (error) {
    if (!(error instanceof RateLimitError)) throw error;
    throw new ConfigurationError(`task ${name}: ${field}: ${error.message}`, { cause: error });
  }
}

function checkedCpu(name: string, value: unknown): boolean | null {
  if (value === undefined || value === null) return null;
  if (typeof value === 'boolean') return value;
  throw new ConfigurationError(`task ${name}: cpu must be true, false or null, got ${JSON.stringify(value)}`);
}

/** Tasks registered with `cpu: true`: they run in a pool child even on an inline worker. */
export function cpuTasks(tasks: Pick<TaskRegistry, 'get' | 'names'>): string[] {
  return tasks.names().filter((name) => tasks.get(name)?.options.cpu === true);
}

/** Duck-typed check for registries loaded from another copy of this package (`--app` modules). */
export function isTaskRegistry(value: unknown): value is TaskRegistry {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as TaskRegistry).get === 'function' &&
    typeof (value as TaskRegistry).names === 'function'
  );
}
