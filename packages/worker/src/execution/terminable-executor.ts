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
    private readonly revocations: Pick<Revocations, 'track' | 'untrack'>,
    private readonly inner: TaskExecutor,
  ) {}

  async execute(job: Job, signal?: AbortSignal, kill: AbortSignal | undefined = signal): Promise<TaskOutcome> {
    // A terminate pulls the run's own switch; the processor passes no signal, so the layers
    // beneath use that one already (combining costs a controller per task, done only for other callers).
    this.revocations.track(job.task.id, job.abort);
    try {
      const stop = own(job, signal);
      const run = this.inner.execute(job, stop, kill === signal ? stop : own(job, kill));
      // Like a hard time limit, a terminate frees the slot at once: an inline handler that ignores
      // its signal cannot be killed and keeps running detached (its outcome is dropped).
      const outcome = await untilTerminated(run, job.abort);
      const terminated = isTermination(job.abort);
      if (!terminated || outcome?.state === TaskState.REVOKED) return outcome ?? revokedOutcome('terminated');
      run.catch(() => undefined);
      job.logger.log('warn', 'task terminated by a revoke', { outcome: outcome?.state ?? 'still running (detached)' });
      return revokedOutcome('terminated');
    } finally {
      this.revocations.untrack(job.task.id, job.abort);
    }
  }
}

/** `given` combined with the run's own switch, unless it is that switch or there is none. */
function own(job: Job, given: AbortSignal | undefined): AbortSignal | undefined {
  return given === undefined || given === job.abort.signal ? given : anySignal([given, job.abort.signal]);
}

function isTermination(abort: TaskAbort): boolean {
  return abort.aborted && abort.reason instanceof TaskRevokedError;
}

/**
 * The run's outcome, or undefined at once on a terminate (never on the worker giving up: that
 * outcome is the processor's to handle). One promise, where Promise.race over a second one made
 * three a task.
 */
function untilTerminated(run: Promise<TaskOutcome>, abort: TaskAbort): Promise<TaskOutcome | undefined> {
  return new Promise((resolve, reject) => {
    abort.onAbort(() => isTermination(abort) && resolve(undefined));
    run.then(resolve, reject);
  });
}
