/**
 * A task contract: the name of a task and the types of its arguments and result, shared by the
 * code that sends it and the code that runs it. It holds no behaviour, so a producer can import
 * it without importing the handler.
 *
 * ```ts
 * export const add = defineTask<[x: number, y: number], number>('tasks.add');
 * ```
 */
export interface TaskContract<Args extends readonly unknown[] = unknown[], Result = unknown> {
  readonly name: string;
  /** Type-level only: never set at run time. */
  readonly __types?: { args: Args; result: Result };
}

export type ArgsOf<C> = C extends TaskContract<infer A, unknown> ? A : never;
export type ResultOf<C> = C extends TaskContract<readonly unknown[], infer R> ? R : never;

const TASK_NAME = /^[A-Za-z_][\w.:-]*$/;

export function defineTask<Args extends readonly unknown[] = unknown[], Result = unknown>(name: string): TaskContract<Args, Result> {
  assertTaskName(name);
  return Object.freeze({ name });
}

/** Throws a TypeError for names Celery could not route or a log could not show. */
export function assertTaskName(name: unknown): asserts name is string {
  if (typeof name !== 'string' || !TASK_NAME.test(name) || name.length > 255) {
    throw new TypeError(`invalid task name ${JSON.stringify(name)}: use letters, digits, '_', '.', ':' or '-'`);
  }
}
