import { TaskState, type ExceptionInfo } from '@celeriac/protocol';
import { errorMeta } from '@celeriac/core';
import type { Job } from '../job.js';
import type { EmitWorkerEvent } from '../worker-events.js';
import { requeueLater } from './requeue-later.js';
import type { TaskReporter } from './task-reporter.js';

/**
 * Ends a task that is not run (revoked, expired): REVOKED is stored, then the message is acked.
 * Acked without the state, the caller would wait for ever, so if it cannot be stored the message
 * goes back to the queue to try again later.
 */
export async function settleRevoked(
  job: Job,
  reporter: TaskReporter,
  result: ExceptionInfo,
  emit: EmitWorkerEvent = () => false,
): Promise<'settled'> {
  try {
    await reporter.store(job.task, TaskState.REVOKED, result);
    job.delivery.ack();
    const { task, delivery } = job;
    const expired = result.exc_message[0] === 'expired';
    const reserved = job.reserved === true;
    emit('task:revoked', { id: task.id, name: task.name, queue: delivery.queue, terminated: false, expired, reserved });
  } catch (error) {
    job.logger.log('error', 'could not report REVOKED; the task goes back to the queue', errorMeta(error));
    requeueLater(job.delivery);
  }
  return 'settled';
}
