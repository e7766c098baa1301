import {
  TaskState,
  countedHeaders,
  readBrokerDeliveries,
  readDeliveries,
  type ExceptionInfo,
} from '@celeriac/protocol';
import { PublishError, errorMeta } from '@celeriac/core';
import { DEFAULT_EXCHANGE, copyProperties, type ConfirmPublisher } from '@celeriac/amqp';
import type { Job } from '../job.js';
import { acksOnTheWire } from '../settle/acks-on-the-wire.js';
import type { Rejector } from '../settle/rejector.js';
import { requeueLater } from '../settle/requeue-later.js';
import type { TaskReporter } from '../settle/task-reporter.js';
import type { Gate, Verdict } from './gate.js';

export const MAX_DELIVERIES_CODE = 'MAX_DELIVERIES';

/** A task the worker chose not to finish: whether it had started, and why (for the log). */
export interface HandBack {
  started: boolean;
  /** @default 'the worker is stopping' */
  why?: string;
}
export const COUNT_REFUSED_CODE = 'DELIVERY_COUNT_REFUSED';

/**
 * Stops poison messages: a task whose deliveries keep ending without an ack (it kills the
 * worker, or the worker dies under it) is dead-lettered after `maxDeliveries` of them instead of
 * looping forever. Classic queues keep no delivery count, only a `redelivered` flag, so the count
 * travels in a header (delivery-count.ts): a redelivered message is republished (confirmed) with
 * the count + 1 and the original acked; the copy then runs as a fresh delivery. A crash between
 * the two publishes at worst a duplicate copy, never a loss. A quorum queue counts deliveries
 * itself (`x-delivery-count` on each redelivery), so there the message is neither copied nor
 * acked: the count is read and the task runs, or is dead-lettered once it reaches the limit.
 */
export class DeliveryCountGate implements Gate {
  /** Task ids whose original is being republished and acked; their copy waits for that. */
  readonly #republishing = new Map<string, Promise<void>>();

  constructor(
    private readonly maxDeliveries: number,
    private readonly publisher: Pick<ConfirmPublisher, 'publish'>,
    private readonly rejector: Pick<Rejector, 'deadLetter'>,
    private readonly reporter: Pick<TaskReporter, 'tellCaller'>,
    /** True for queues whose broker counts deliveries (quorum queues). */
    private readonly brokerCounts: (queue: string) => boolean = () => false,
    /** True for a redelivery of a message that never started here (FinishedOutcomes.uncounted). */
    private readonly uncounted: (job: Job) => boolean = () => false,
  ) {}

  admit(job: Job): Verdict | Promise<Verdict> {
    if (!job.delivery.message.fields.redelivered) return this.#afterOriginal(job);
    return this.#redelivered(job);
  }

  async #redelivered(job: Job): Promise<Verdict> {
    const { properties } = job.delivery.message;
    // It waited in this worker's prefetch when its channel closed: it never ran, so it is no poison.
    if (this.uncounted(job)) return 'run';
    if (this.brokerCounts(job.delivery.queue)) return this.#counted(job);
    const deliveries = readDeliveries(properties.headers) + 1;
    if (deliveries >= this.maxDeliveries) await this.#deadLetter(job, deliveries);
    else await this.#republish(job, deliveries);
    return 'settled';
  }

  /** A quorum queue's redelivery: the broker's count (plus one a handed-back copy carries) decides. */
  async #counted(job: Job): Promise<'run' | 'settled'> {
    const deliveries = Math.max(1, this.#countSoFar(job));
    if (deliveries >= this.maxDeliveries) {
      await this.#deadLetter(job, deliveries);
      return 'settled';
    }
    job.logger.log('warn', 'task redelivered: a worker stopped before acknowledging it; the broker counts it', {
      deliveries,
      maxDeliveries: this.maxDeliveries,
    });
    return 'run';
  }

  /** Deliveries of this task that ended without an ack, as far as its headers tell. */
  #countSoFar(job: Job): number {
    const { fields, properties } = job.delivery.message;
    const broker = fields.redelivered && this.brokerCounts(job.delivery.queue);
    return readDeliveries(properties.headers) + (broker ? readBrokerDeliveries(properties.headers) : 0);
  }

  /**
   * The copy can arrive before the publish confirm does, and a copy that kills the process before
   * the original's ack is out would leave both in the queue: it waits for the original's ack.
   */
  #afterOriginal(job: Job): 'run' | Promise<'run'> {
    const republishing = this.#republishing.get(job.task.id);
    return republishing ? republishing.then(() => 'run' as const) : 'run';
  }

  /**
   * Hands a task the worker chose not to finish (it is stopping) back to its queue without
   * counting a delivery: a copy with the same count goes to the tail, then the original is
   * acked. A plain requeue would come back `redelivered` and count against a healthy task, so
   * a few restarts in a row would dead-letter it.
   */
  async handBack(job: Job, { started, why = 'the worker is stopping' }: HandBack): Promise<void> {
    job.logger.log('info', `task handed back to its queue: ${why}`, { started });
    // On a quorum queue a requeue would count a delivery too; the copy carries the count so far.
    await this.#republish(job, this.#countSoFar(job), started);
  }

  async #republish(job: Job, deliveries: number, interrupted = false): Promise<void> {
    const done = this.#publishCopy(job, deliveries, interrupted);
    this.#republishing.set(job.task.id, done);
    try {
      await done;
    } finally {
      this.#republishing.delete(job.task.id);
    }
  }

  async #publishCopy(job: Job, deliveries: number, interrupted: boolean): Promise<void> {
    const { delivery, logger } = job;
    if (delivery.message.fields.redelivered)
      logger.log('warn', 'task redelivered: a worker stopped before acknowledging it; counting the delivery', {
        deliveries,
        maxDeliveries: this.maxDeliveries,
      });
    try {
      await this.publisher.publish(
        DEFAULT_EXCHANGE,
        delivery.queue,
        delivery.message.content,
        countedProperties(job, deliveries, interrupted),
      );
      delivery.ack();
      await acksOnTheWire();
    } catch (error) {
      await this.#uncounted(job, error);
    }
  }

  /**
   * The counted copy was refused. Requeued, a message the broker will never take a copy of (its
   * own headers fill amqplib's 64 KB table) would come back redelivered and be refused again,
   * forever: it is dead-lettered instead (the dead-letter copy can shrink; this one cannot).
   */
  async #uncounted(job: Job, error: unknown): Promise<void> {
    const { delivery, logger } = job;
    if (delivery.orphaned()) return; // its channel closed: the broker has put it back already
    if (!isRefusal(error)) {
      logger.log(
        'error',
        'could not republish a redelivered task with its delivery count; it goes back to the queue',
        errorMeta(error),
      );
      return requeueLater(delivery);
    }
    const message = `redelivered, and the copy carrying its delivery count was refused (${(error as Error).message})`;
    logger.log('error', 'dead-lettering a redelivered task whose counted copy the broker refused', {
      code: COUNT_REFUSED_CODE,
      ...errorMeta(error),
    });
    await this.rejector.deadLetter(delivery, { code: COUNT_REFUSED_CODE, message }, job.task.id, job.task.name);
  }

  async #deadLetter(job: Job, deliveries: number): Promise<void> {
    const message = `delivered ${deliveries} times without being acknowledged (maxDeliveries ${this.maxDeliveries}): it keeps killing workers or is never finished`;
    job.logger.log('error', 'dead-lettering a poison message', { code: MAX_DELIVERIES_CODE, deliveries });
    await this.reporter.tellCaller(job.task, TaskState.FAILURE, workerLost(message), job.logger);
    await this.rejector.deadLetter(job.delivery, { code: MAX_DELIVERIES_CODE, message }, job.task.id, job.task.name);
  }
}

/**
 * Same body, headers and properties, plus the count. A broker-side `expiration` would restart
 * on republish, so it is recomputed from the task's own `expires`; once that has passed it is
 * left out, so the broker does not drop the copy silently and a worker records it REVOKED.
 */
function countedProperties(job: Job, deliveries: number, interrupted: boolean) {
  const { properties } = job.delivery.message;
  const headers = countedHeaders(properties.headers, deliveries, interrupted);
  const remainingMs = job.task.expires ? job.task.expires.getTime() - Date.now() : 0;
  const expiration = remainingMs > 0 ? { expiration: String(remainingMs) } : {};
  return { ...copyProperties(properties), ...expiration, headers, persistent: true };
}

/** The broker (or amqplib's encoder) refused this very message; a lost connection is not a refusal. */
function isRefusal(error: unknown): boolean {
  return error instanceof PublishError ? error.code === 'PUBLISH_NACKED' : error instanceof RangeError;
}

/** Celery's name for "the process running the task died". */
export function workerLost(message: string): ExceptionInfo {
  return { exc_type: 'WorkerLostError', exc_message: [message], exc_module: 'billiard.exceptions' };
}
