/**
 * Revoked tasks are not run. A task whose id was revoked (by `client.revoke`, Python's
 * `app.control.revoke`, or any Celery control client) is discarded when it reaches the worker:
 * REVOKED is stored with Celery's `TaskRevokedError('revoked')`, and the message is acked.
 */
import { CELERY_EXCEPTIONS_MODULE, TaskState, type ExceptionInfo } from '@celeriac/protocol';
import { errorMeta } from '@celeriac/core';
import type { Gate, Job } from './job.js';
import { requeueLater } from './rejector.js';
import type { RevokedIds } from './revoked-ids.js';
import type { TaskOutcome } from './task-outcome.js';
import type { TaskReporter } from './task-reporter.js';

/** Why a task was revoked: before it ran ('revoked'), or while it ran ('terminated'). */
export type RevokeReason = 'revoked' | 'terminated';

/** Celery's `celery.exceptions.TaskRevokedError`; the abort reason of a terminated task's signal. */
export class TaskRevokedError extends Error {
  override name = 'TaskRevokedError';
  readonly excModule = CELERY_EXCEPTIONS_MODULE;

  constructor(readonly reason: RevokeReason) {
    super(reason);
  }
}

/** The REVOKED result Celery's `mark_as_revoked` stores. */
export function revokedException(reason: RevokeReason): ExceptionInfo {
  return { exc_type: 'TaskRevokedError', exc_message: [reason], exc_module: CELERY_EXCEPTIONS_MODULE };
}

export function revokedOutcome(reason: RevokeReason): TaskOutcome {
  return { state: TaskState.REVOKED, result: revokedException(reason), traceback: null, error: new TaskRevokedError(reason) };
}

export class RevokedGate implements Gate {
  constructor(
    private readonly revoked: RevokedIds,
    private readonly reporter: TaskReporter,
  ) {}

  async admit(job: Job): Promise<'run' | 'settled'> {
    if (!this.revoked.has(job.task.id)) return 'run';
    job.logger.log('info', 'discarding a revoked task without running it');
    return settleRevoked(job, this.reporter, revokedException('revoked'));
  }
}

/**
 * Ends a task that is not run (revoked, expired): REVOKED is stored, then the message is acked.
 * Acked without the state, the caller would wait for ever, so if it cannot be stored the message
 * goes back to the queue to try again later.
 */
export async function settleRevoked(job: Job, reporter: TaskReporter, result: ExceptionInfo): Promise<'settled'> {
  try {
    await reporter.store(job.task, TaskState.REVOKED, result);
    job.delivery.ack();
  } catch (error) {
    job.logger.log('error', 'could not report REVOKED; the task goes back to the queue', errorMeta(error));
    requeueLater(job.delivery);
  }
  return 'settled';
}
