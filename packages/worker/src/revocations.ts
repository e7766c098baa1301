/**
 * What a worker knows about revoked tasks: the revoked ids (kept 3 hours, as Celery does) and
 * the tasks running right now, so that `revoke(..., terminate=True)` can reach them.
 */
import { TaskState } from '@celeriac/protocol';
import { anySignal } from './any-signal.js';
import type { Job } from './job.js';
import { RevokedIds } from './revoked-ids.js';
import { TaskRevokedError, revokedOutcome } from './revoked-gate.js';
import type { TaskExecutor } from './task-executor.js';
import type { TaskOutcome } from './task-outcome.js';

export class Revocations {
  /** Task id → the controllers of its runs (a redelivered duplicate may run twice at once). */
  readonly #running = new Map<string, Set<AbortController>>();

  constructor(readonly ids: RevokedIds = new RevokedIds()) {}

  /** Remembers the ids; with `terminate`, also aborts their runs. Returns the ids it terminated. */
  revoke(ids: readonly string[], terminate: boolean): string[] {
    for (const id of ids) this.ids.add(id);
    if (!terminate) return [];
    return ids.filter((id) => this.#terminate(id));
  }

  /** Wraps the executor so that running tasks can be terminated (see TerminableExecutor). */
  wrap(inner: TaskExecutor): TaskExecutor {
    return new TerminableExecutor(this, inner);
  }

  track(id: string, controller: AbortController): () => void {
    const runs = this.#running.get(id) ?? new Set<AbortController>();
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

/**
 * Makes running tasks reachable by `revoke(..., terminate=True)`, and turns a terminated run into
 * REVOKED 'terminated' whatever the handler did after its signal fired: a terminated task is
 * revoked, not failed. (A task revoked while it waited for a slot is stopped by RevokedGate,
 * which the processor asks again right before running.)
 */
export class TerminableExecutor implements TaskExecutor {
  constructor(
    private readonly revocations: Revocations,
    private readonly inner: TaskExecutor,
  ) {}

  async execute(job: Job, signal: AbortSignal, kill: AbortSignal = signal): Promise<TaskOutcome> {
    // A terminate aborts the run's own controller; the processor passes its signal, so the
    // handler already has it (combining costs a controller per task, done only for other callers).
    const untrack = this.revocations.track(job.task.id, job.abort);
    try {
      const stop = signal === job.abort.signal ? signal : anySignal([signal, job.abort.signal]);
      const run = this.inner.execute(job, stop, kill === signal ? stop : anySignal([kill, job.abort.signal]));
      // Like a hard time limit, a terminate frees the slot at once: an inline handler that ignores
      // its signal cannot be killed and keeps running detached (its outcome is dropped).
      const outcome = await Promise.race([run, whenTerminated(job.abort.signal)]);
      const terminated = isTermination(job.abort.signal);
      if (!terminated || outcome?.state === TaskState.REVOKED) return outcome ?? revokedOutcome('terminated');
      run.catch(() => undefined);
      job.logger.log('warn', 'task terminated by a revoke', { outcome: outcome?.state ?? 'still running (detached)' });
      return revokedOutcome('terminated');
    } finally {
      untrack();
    }
  }
}

function isTermination(signal: AbortSignal): boolean {
  return signal.aborted && signal.reason instanceof TaskRevokedError;
}

/** Resolves on a terminate; never on the worker giving up (that outcome is the processor's to handle). */
function whenTerminated(signal: AbortSignal): Promise<undefined> {
  return new Promise((resolve) => signal.addEventListener('abort', () => isTermination(signal) && resolve(undefined), { once: true }));
}
