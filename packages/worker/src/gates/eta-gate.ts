import { setTimeout as sleep } from 'node:timers/promises';
import { errorMeta } from '@celeriac/core';
import { toFieldTable } from '@celeriac/protocol';
import {
  copyProperties,
  laneSeconds,
  publishAt,
  type Delivery,
  type DelayPublisher,
  type PublishProperties,
} from '@celeriac/amqp';
import type { Job } from '../job.js';
import { requeueLater } from '../settle/requeue-later.js';
import type { Gate, Verdict } from './gate.js';
import type { JobTracker } from '../control/task-requests.js';

/**
 * Holds a task until its eta without ever holding its message for long: due → run; due within a
 * second → wait in memory (still unacked) and run; later → a copy goes into the delay lanes
 * (confirmed), then the original is acked. That also covers future-eta messages from Python
 * Celery clients, which Celery's own worker would hold unacked until the broker's consumer
 * timeout closes its channel. An eta beyond the lanes' maximum (about 8.5 years) is laned for
 * the maximum and laned again when it comes back.
 */
export class EtaGate implements Gate {
  constructor(
    private readonly publisher: DelayPublisher,
    private readonly now: () => number = Date.now,
    /** Told while a job waits here in memory, for `inspect scheduled`. */
    private readonly tracker?: Pick<JobTracker, 'schedule' | 'reserve'>,
  ) {}

  admit(job: Job): Verdict | Promise<Verdict> {
    const eta = job.task.eta;
    return eta ? this.#wait(job, eta) : 'run';
  }

  async #wait(job: Job, eta: Date): Promise<Verdict> {
    for (let remainingMs = eta.getTime() - this.now(); remainingMs > 0; remainingMs = eta.getTime() - this.now()) {
      if (laneSeconds(remainingMs) > 0) return this.#toLanes(job, eta);
      // Timers may fire a millisecond early, hence the loop: a task never starts before its eta.
      this.tracker?.schedule(job);
      await sleep(remainingMs);
    }
    this.tracker?.reserve(job);
    return 'run';
  }

  async #toLanes(job: Job, eta: Date): Promise<'settled'> {
    const { content, properties } = job.delivery.message;
    try {
      await publishAt(this.publisher, job.delivery.queue, eta, content, laneCopy(properties), this.now);
      job.delivery.ack();
      job.logger.log('info', 'task not due yet; moved to the delay lanes', { eta: eta.toISOString() });
    } catch (error) {
      job.logger.log(
        'error',
        'could not move a delayed task to the delay lanes; it goes back to the queue',
        errorMeta(error),
      );
      requeueLater(job.delivery);
    }
    return 'settled';
  }
}

/** Headers the broker adds when a message is dead-lettered (every lane hop): not part of the task. */
const BROKER_HEADERS = /^x-(death|first-death-|last-death-)/;

/**
 * The properties of the copy: those every republish keeps (copyProperties: no message id, which
 * the publisher sets, no user id, which the broker checks against the publishing connection, no
 * expiration, since a TTL would restart and expires is enforced by the worker), the delivery mode,
 * and the headers with integers tagged so a Python peer reads them, minus the broker's
 * dead-letter bookkeeping.
 */
function laneCopy(properties: Delivery['message']['properties']): PublishProperties {
  const { headers = {}, deliveryMode } = properties as {
    headers?: Record<string, unknown>;
    deliveryMode?: number | null;
  };
  const kept = Object.fromEntries(Object.entries(headers).filter(([key]) => !BROKER_HEADERS.test(key)));
  const mode = deliveryMode === undefined || deliveryMode === null ? {} : { deliveryMode };
  return { ...copyProperties(properties), ...mode, headers: toFieldTable(kept) };
}
