import { TaskState } from '@celeriac/protocol';
import { ResultError } from '@celeriac/core';
import type { AsyncResult, GetOptions, ParentResult } from './async-result.js';

/**
 * The results of a group, in order, as Celery's GroupResult: `get()` gives the tuple of results
 * (throwing the first failure), `completedCount()` how many succeeded, `failed()` whether any failed.
 */
export class GroupResult<T extends readonly unknown[] = unknown[]> {
  constructor(
    readonly id: string,
    readonly results: readonly AsyncResult[],
    /** The step before this group in a chain, if any. */
    readonly parent: ParentResult | null = null,
  ) {}

  /** Every member's result, in order; waits at most `timeoutMs` in all. */
  async get(options: GetOptions = {}): Promise<T> {
    const deadline = options.timeoutMs === undefined ? null : Date.now() + options.timeoutMs;
    const values: unknown[] = [];
    for (const result of this.results) values.push(await result.get(remaining(deadline, this.id)));
    return values as unknown as T;
  }

  /** How many members have succeeded so far. */
  async completedCount(): Promise<number> {
    const states = await Promise.all(this.results.map((result) => result.state()));
    return states.filter((state) => state === TaskState.SUCCESS).length;
  }

  /** True once any member has failed. */
  async failed(): Promise<boolean> {
    const states = await Promise.all(this.results.map((result) => result.state()));
    return states.some((state) => state === TaskState.FAILURE);
  }
}

function remaining(deadline: number | null, groupId: string): GetOptions {
  if (deadline === null) return {};
  const left = deadline - Date.now();
  if (left < 0) throw new ResultError('RESULT_TIMEOUT', groupId, 'the group did not finish in time');
  return { timeoutMs: left };
}
