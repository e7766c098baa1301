import type { Logger } from '@celeriac/core';
import type { Delivery } from '@celeriac/amqp';

/**
 * A delivery that can be settled once. Acking or requeueing a delivery tag twice is a 406 that
 * closes the channel under every other running task, and a task acked before it runs
 * (`acksLate: false`) meets paths that would requeue it (shutdown timeout, a failed report): those
 * become a logged no-op, since the broker has already forgotten the message.
 */
export function settleOnce(delivery: Delivery, logger: Logger): Delivery {
  return new SettleOnce(delivery, logger);
}

/** A class, not an object of closures: one object a task where there were five. */
class SettleOnce implements Delivery {
  readonly message: Delivery['message'];
  readonly queue: string;
  #settled: 'ack' | 'requeue' | null = null;

  readonly #inner: Delivery;
  readonly #logger: Logger;

  constructor(inner: Delivery, logger: Logger) {
    this.message = inner.message;
    this.queue = inner.queue;
    this.#inner = inner;
    this.#logger = logger;
  }

  ack(): void {
    if (this.#first('ack')) this.#inner.ack();
  }

  requeue(): void {
    if (this.#first('requeue')) this.#inner.requeue();
  }

  orphaned(): boolean {
    return this.#inner.orphaned();
  }

  #first(action: 'ack' | 'requeue'): boolean {
    const settled = this.#settled;
    if (settled === null) {
      this.#settled = action;
      return true;
    }
    if (action === 'requeue' && settled === 'ack')
      this.#logger.log(
        'warn',
        'the message was acknowledged before the task ran (acksLate: false); it cannot go back to the queue, and this run of the task is lost',
      );
    else this.#logger.log('debug', `ignored a second settlement (${action} after ${settled})`);
    return false;
  }
}
