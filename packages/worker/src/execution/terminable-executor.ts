import { TaskState } from '@celeriac/protocol';
import type { Revocations } from '../control/revocations.js';
import type { Job } from '../job.js';
import { anySignal } from './any-signal.js';
import type { TaskAbort } from './task-abort.js';
import type { TaskExecutor } from './task-executor.js';
import type { TaskOutcome } from './task-outcome.js';
import { TaskRevokedError, revokedOutcome } from './task-revoked-error.js';

/**
 * Makes running tasks reachable by `revoke(..., terminate=True)`, and turns a terminated run into
 * REVOKED 'terminated' whatever the handler did after its signal fired: a terminated task is
 * revoked, not failed. (A task revoked while it waited for a slot is stopped by RevokedGate,
 * which the processor asks again right before running.)
 */
export class TerminableExecutor implements TaskExecutor {
  constructor(
    private readonly revocations: Pick<Revocations, 'track'>,
    private readonly inner: TaskExecutor,
  ) {}

  async execute(job: Job, signal?: AbortSignal, kill: AbortSignal | undefined = signal): Promise<TaskOutcome> {
    // A terminate pulls the run's own switch; the processor passes no signal, so the layers
    // beneath use that one already (combining costs a controller per task, done only for other callers).
    const untrack = this.revocations.track(job.task.id, job.abort);
    try {
      const own = (given: AbortSignal | undefined) =>
        given === undefined || given === job.abort.signal ? given : anySignal([given, job.abort.signal]);
      const stop = own(signal);
      const run = this.inner.execute(job, stop, kill === signal ? stop : own(kill));
      // Like a hard time limit, a terminate frees the slot at once: an inline handler that ignores
      // its signal cannot be killed and keeps running detached (its outcome is dropped).
      const outcome = await Promise.race([run, whenTerminated(job.abort)]);
      const terminated = isTermination(job.abort);
      if (!terminated || outcome?.state === TaskState.REVOKED) return outcome ?? revokedOutcome('terminated');
      run.catch(() => undefined);
      job.logger.log('warn', 'task terminated by a revoke', { outcome: outcome?.state ?? 'still running (detached)' });
      return revokedOutcome('terminated');
    } finally {
      untrack();
    }
  }
}

function isTermination(abort: TaskAbort): boolean {
  return abort.aborted && abort.reason instanceof TaskRevokedError;
}

/** Resolves on a terminate; never on the worker giving up (that outcome is the processor's to handle). */
function whenTerminated(abort: TaskAbort): Promise<undefined> {
  return new Promise((resolve) => abort.onAbort(() => isTermination(abort) && resolve(undefined)));
}
