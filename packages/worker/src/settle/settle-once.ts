import type { Logger } from '@celeriac/core';
import type { Delivery } from '@celeriac/amqp';

/**
 * A delivery that can be settled once. Acking or requeueing a delivery tag twice is a 406 that
 * closes the channel under every other running task, and a task acked before it runs
 * (`acksLate: false`) meets paths that would requeue it (shutdown timeout, a failed report): those
 * become a logged no-op, since the broker has already forgotten the message.
 */
export function settleOnce(delivery: Delivery, logger: Logger): Delivery {
  let settled: 'ack' | 'requeue' | null = null;
  const once = (action: 'ack' | 'requeue', settle: () => void) => () => {
    if (settled === null) {
      settled = action;
      return settle();
    }
    if (action === 'requeue' && settled === 'ack')
      logger.log(
        'warn',
        'the message was acknowledged before the task ran (acksLate: false); it cannot go back to the queue, and this run of the task is lost',
      );
    else logger.log('debug', `ignored a second settlement (${action} after ${settled})`);
  };
  return { ...delivery, ack: once('ack', () => delivery.ack()), requeue: once('requeue', () => delivery.requeue()) };
}
