/**
 * Revoked tasks are not run. A task whose id was revoked (by `client.revoke`, Python's
 * `app.control.revoke`, or any Celery control client) is discarded when it reaches the worker:
 * REVOKED is stored with Celery's `TaskRevokedError('revoked')`, and the message is acked.
 */
import type { Job } from '../job.js';
import type { RevokedIds } from '../control/revoked-ids.js';
import { revokedException } from '../execution/task-revoked-error.js';
import { settleRevoked } from '../settle/settle-revoked.js';
import type { TaskReporter } from '../settle/task-reporter.js';
import type { EmitWorkerEvent } from '../worker-events.js';
import type { Gate } from './gate.js';

export class RevokedGate implements Gate {
  constructor(
    private readonly revoked: RevokedIds,
    private readonly reporter: TaskReporter,
    private readonly emit?: EmitWorkerEvent,
  ) {}

  admit(job: Job): 'run' | Promise<'settled'> {
    return this.revoked.has(job.task.id) ? this.#discard(job) : 'run';
  }

  async #discard(job: Job): Promise<'settled'> {
    job.logger.log('info', 'discarding a revoked task without running it');
    return settleRevoked(job, this.reporter, revokedException('revoked'), this.emit);
  }
}
