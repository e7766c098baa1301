/**
 * What a worker knows about revoked tasks: the revoked ids (kept 3 hours, as Celery does) and
 * the tasks running right now, so that `revoke(..., terminate=True)` can reach them. The control
 * commands fill it; RevokedGate and TerminableExecutor read it.
 */
import type { TaskAbort } from '../execution/task-abort.js';
import { TaskRevokedError } from '../execution/task-revoked-error.js';
import { RevokedIds } from './revoked-ids.js';

/** A running task's abort switch. */
type Run = Pick<TaskAbort, 'abort'>;

export class Revocations {
  /**
   * Task id → the controller of its run, or a set of them when a redelivered duplicate runs
   * beside it (rare: a set and a closure for every task showed in a no-op drain's garbage).
   */
  readonly #running = new Map<string, Run | Set<Run>>();

  constructor(readonly ids: RevokedIds = new RevokedIds()) {}

  /** Remembers the ids; with `terminate`, also aborts their runs. Returns the ids it terminated. */
  revoke(ids: readonly string[], terminate: boolean): string[] {
    for (const id of ids) this.ids.add(id);
    if (!terminate) return [];
    return ids.filter((id) => this.#terminate(id));
  }

  /** Makes a run reachable by a terminate until `untrack` (TerminableExecutor). */
  track(id: string, run: Run): void {
    const runs = this.#running.get(id);
    if (runs === undefined) this.#running.set(id, run);
    else if (runs instanceof Set) runs.add(run);
    else this.#running.set(id, new Set([runs, run]));
  }

  untrack(id: string, run: Run): void {
    const runs = this.#running.get(id);
    if (runs === run) this.#running.delete(id);
    else if (runs instanceof Set && runs.delete(run) && runs.size === 0) this.#running.delete(id);
  }

  #terminate(id: string): boolean {
    const runs = this.#running.get(id);
    if (!runs) return false;
    if (runs instanceof Set) for (const run of runs) run.abort(new TaskRevokedError('terminated'));
    else runs.abort(new TaskRevokedError('terminated'));
    return true;
  }
}
