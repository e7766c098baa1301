/**
 * A task contract: the name of a task and the types of its arguments and result, shared by the
 * code that sends it and the code that runs it. It holds no behaviour, so a producer can import
 * it without importing the handler.
 *
 * ```ts
 * export const add = defineTask<[x: number, y: number], number>('tasks.add');
 * // Named parameters: a Python caller's kwargs bind to them (see task-params.ts).
 * export const ship = defineTask<[orderId: number, note?: string], string>('orders.ship', { params: ['order_id', 'note?'] });
 * ```
 *
 * Without `params` a handler receives the positional args only, and keyword arguments only as
 * `ctx.kwargs`; a task called by keyword then sees its parameters as undefined.
 */
import { TaskSignature, chunks, xmap, type Group } from './canvas.js';
import { compileParams, type ParamNames, type TaskParam } from './task-params.js';

export interface TaskContract<Args extends readonly unknown[] = unknown[], Result = unknown> {
  readonly name: string;
  /** The named parameters, when the contract names them: kwargs bind to these. */
  readonly params?: readonly TaskParam[];
  /** Type-level only: never set at run time. */
  readonly __types?: { args: Args; result: Result };
}

type HeadOf<A extends readonly unknown[]> = A extends readonly [infer H, ...unknown[]] ? H : never;
type TailOf<A extends readonly unknown[]> = A extends readonly [unknown, ...infer R] ? R : never;

/** A contract made by defineTask: it also builds the task's signatures for canvases. */
export interface TaskDefinition<Args extends readonly unknown[] = unknown[], Result = unknown> extends TaskContract<
  Args,
  Result
> {
  /** `add.s(2, 3)`: every argument given; first in a chain, or alone. A variadic task (`unknown[]`) takes more. */
  s(...args: Args): TaskSignature<number extends Args['length'] ? unknown : never, Result>;
  /** `add.s(3)`: all but the first, which the previous step's result fills (Celery's partial args). */
  s(...args: TailOf<Args>): TaskSignature<HeadOf<Args>, Result>;
  /** `add.si(2, 3)`: immutable, every argument given; the previous step's result is not passed. */
  si(...args: Args): TaskSignature<unknown, Result>;
  /** Celery's `task.map(items)`: one task (`celery.map`) calling this one with each item in turn. */
  map(items: readonly (Args extends readonly [infer Only] ? Only : never)[]): TaskSignature<unknown, Result[]>;
  /** Celery's `task.starmap(items)`: one task (`celery.starmap`) calling this one with each item's arguments. */
  starmap(items: readonly Args[]): TaskSignature<unknown, Result[]>;
  /** Celery's `task.chunks(items, n)`: a group of starmaps of `n` items each; its result is their lists. */
  chunks(items: readonly Args[], size: number): Group<unknown, Result[][]>;
}

export interface DefineTaskOptions<Args extends readonly unknown[]> {
  /** A name per argument, `name?` for optional ones, so Python-style kwargs bind by name. */
  params?: ParamNames<Args>;
}

export type ArgsOf<C> = C extends TaskContract<infer A, unknown> ? A : never;
export type ResultOf<C> = C extends TaskContract<readonly unknown[], infer R> ? R : never;

const TASK_NAME = /^[A-Za-z_][\w.:-]*$/;

export function defineTask<Args extends readonly unknown[] = unknown[], Result = unknown>(
  name: string,
  options: DefineTaskOptions<Args> = {},
): TaskDefinition<Args, Result> {
  assertTaskName(name);
  const s = (...args: readonly unknown[]) => new TaskSignature<never, Result>(name, args);
  const si = (...args: Args) => new TaskSignature<unknown, Result>(name, args, {}, {}, true);
  // Not enumerable: a contract still compares, prints and serialises as its name (and params).
  const methods = {
    s: { value: s },
    si: { value: si },
    map: { value: (items: readonly unknown[]) => xmap<Result>('celery.map', name, items) },
    starmap: { value: (items: readonly Args[]) => xmap<Result>('celery.starmap', name, items) },
    chunks: { value: (items: readonly Args[], size: number) => chunks<Result>(name, items, size) },
  };
  const params = options.params === undefined ? {} : { params: compileParams(name, options.params) };
  return Object.freeze(Object.defineProperties({ name, ...params }, methods)) as TaskDefinition<Args, Result>;
}

/** Throws a TypeError for names Celery could not route or a log could not show. */
export function assertTaskName(name: unknown): asserts name is string {
  if (typeof name !== 'string' || !TASK_NAME.test(name) || name.length > 255) {
    throw new TypeError(`invalid task name ${JSON.stringify(name)}: use letters, digits, '_', '.', ':' or '-'`);
  }
}
