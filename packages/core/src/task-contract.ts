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
import { compileParams, type ParamNames, type TaskParam } from './task-params.js';

export interface TaskContract<Args extends readonly unknown[] = unknown[], Result = unknown> {
  readonly name: string;
  /** The named parameters, when the contract names them: kwargs bind to these. */
  readonly params?: readonly TaskParam[];
  /** Type-level only: never set at run time. */
  readonly __types?: { args: Args; result: Result };
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
): TaskContract<Args, Result> {
  assertTaskName(name);
  if (options.params === undefined) return Object.freeze({ name });
  return Object.freeze({ name, params: compileParams(name, options.params as readonly string[]) });
}

/** Throws a TypeError for names Celery could not route or a log could not show. */
export function assertTaskName(name: unknown): asserts name is string {
  if (typeof name !== 'string' || !TASK_NAME.test(name) || name.length > 255) {
    throw new TypeError(`invalid task name ${JSON.stringify(name)}: use letters, digits, '_', '.', ':' or '-'`);
  }
}
