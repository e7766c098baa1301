import { errorMeta } from '@celeriac/core';
import { encodeTask } from '@celeriac/protocol';
import { publishAt, taskQueue, type ConfirmPublisher, type QueueType, type TaskQueueOptions } from '@celeriac/amqp';
import type { Job } from '../job.js';
import { requeueLater } from '../settle/requeue-later.js';
import type { Retry } from './retry-decision.js';
import { retryMessage } from './retry-message.js';

/**
 * Republishes a task that asked to retry: to the queue it came from (or the one the retry
 * names), through the delay lanes when it waits a second or more. The caller acks the original
 * only when this succeeded; if the publish fails the original goes back to the queue instead.
 */
export class RetryPublisher {
  constructor(
    private readonly publisher: ConfirmPublisher,
    private readonly origin: string,
    private readonly queueOptions: Record<string, TaskQueueOptions>,
    private readonly queueType: QueueType = 'classic',
  ) {}

  /** True once the broker has the retry; false (and the original requeued) if it could not take it. */
  async resend(job: Job, retry: Retry): Promise<boolean> {
    try {
      await this.#publish(job, retry);
      return true;
    } catch (error) {
      job.logger.log(
        'error',
        'could not republish the task for its retry; the original goes back to the queue',
        errorMeta(error),
      );
      requeueLater(job.delivery);
      return false;
    }
  }

  async #publish(job: Job, retry: Retry): Promise<void> {
    const queue = retry.queue ?? job.delivery.queue;
    const now = new Date();
    const message = retryMessage(job, retry.delayMs, now, this.origin);
    const { body, properties } = encodeTask(message, now);
    // The queue it came from exists; another one (e.g. a Python worker's) may not yet.
    if (retry.queue !== null)
      await this.publisher.ensureQueue(taskQueue(queue, this.queueOptions[queue], this.queueType));
    await publishAt(this.publisher, queue, message.eta ?? null, body, properties);
  }
}
