import { CELERY_EXCEPTIONS_MODULE, TaskState, type ExceptionInfo } from '@celeriac/protocol';
import type { TaskOutcome } from './task-outcome.js';

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

/** How a run ends that a revoke stopped: REVOKED, with the result Celery stores. */
export function revokedOutcome(reason: RevokeReason): TaskOutcome {
  return {
    state: TaskState.REVOKED,
    result: revokedException(reason),
    traceback: null,
    error: new TaskRevokedError(reason),
  };
}
