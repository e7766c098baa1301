/**
 * What a worker knows about revoked tasks: the revoked ids (kept 3 hours, as Celery does) and
 * the tasks running right now, so that `revoke(..., terminate=True)` can reach them. The control
 * commands fill it; RevokedGate and TerminableExecutor read it.
 */
import type { TaskAbort } from '../execution/task-abort.js';
import { TaskRevokedError } from '../execution/task-revoked-error.js';
import { RevokedIds } from './revoked-ids.js';

export class Revocations {
  /** Task id → the controllers of its runs (a redelivered duplicate may run twice at once). */
  readonly #running = new Map<string, Set<Pick<TaskAbort, 'abort'>>>();

  constructor(readonly ids: RevokedIds = new RevokedIds()) {}

  /** Remembers the ids; with `terminate`, also aborts their runs. Returns the ids it terminated. */
  revoke(ids: readonly string[], terminate: boolean): string[] {
    for (const id of ids) this.ids.add(id);
    if (!terminate) return [];
    return ids.filter((id) => this.#terminate(id));
  }

  /** Makes a run reachable by a terminate until the returned function is called (TerminableExecutor). */
  track(id: string, controller: Pick<TaskAbort, 'abort'>): () => void {
    const runs = this.#running.get(id) ?? new Set<Pick<TaskAbort, 'abort'>>();
    runs.add(controller);
    this.#running.set(id, runs);
    return () => {
      runs.delete(controller);
      if (runs.size === 0 && this.#running.get(id) === runs) this.#running.delete(id);
    };
  }

  #terminate(id: string): boolean {
    const runs = this.#running.get(id);
    if (!runs) return false;
    for (const controller of runs) controller.abort(new TaskRevokedError('terminated'));
    return true;
  }
}
