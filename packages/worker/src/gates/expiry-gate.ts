import { CELERY_EXCEPTIONS_MODULE, formatCeleryDate, type ExceptionInfo } from '@celeriac/protocol';
import type { Job } from '../job.js';
import { settleRevoked } from '../settle/settle-revoked.js';
import type { TaskReporter } from '../settle/task-reporter.js';
import type { EmitWorkerEvent } from '../worker-events.js';
import type { Gate } from './gate.js';

/** What Celery stores for a task that expired before it ran: `TaskRevokedError('expired')`. */
export const EXPIRED_RESULT: Readonly<ExceptionInfo> = Object.freeze({
  exc_type: 'TaskRevokedError',
  exc_message: ['expired'],
  exc_module: CELERY_EXCEPTIONS_MODULE,
});

/**
 * Celery's `expires`: a task whose expiry has passed is not run; it is recorded REVOKED and
 * acknowledged. The broker's per-message TTL drops most of them while they wait in a queue; this
 * catches the rest (delayed ones, whose TTL is left out of the lanes, and those that expire while
 * held or waiting for a slot, which is why the worker asks again right before running).
 */
export class ExpiryGate implements Gate {
  constructor(
    private readonly reporter: TaskReporter,
    private readonly now: () => number = Date.now,
    private readonly emit?: EmitWorkerEvent,
  ) {}

  admit(job: Job): 'run' | Promise<'settled'> {
    const expires = job.task.expires;
    return !expires || expires.getTime() > this.now() ? 'run' : this.#expire(job, expires);
  }

  async #expire(job: Job, expires: Date): Promise<'settled'> {
    job.logger.log('info', 'task expired before it ran; recorded REVOKED and acknowledged', {
      expires: formatCeleryDate(expires),
    });
    return settleRevoked(job, this.reporter, EXPIRED_RESULT, this.emit);
  }
}
