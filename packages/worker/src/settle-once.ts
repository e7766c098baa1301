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
    if (action === 'requeue' && settled === 'ack') logger.log('warn', 'the message was acknowledged before the task ran (acksLate: false); it cannot go back to the queue, and this run of the task is lost');
    else logger.log('debug', `ignored a second settlement (${action} after ${settled})`);
  };
  return { ...delivery, ack: once('ack', () => delivery.ack()), requeue: once('requeue', () => delivery.requeue()) };
}

/**
 * Resolves once acks already issued have left the process. Acks are coalesced per turn of the
 * event loop (AckBatcher, on setImmediate), then amqplib buffers the frames and writes them to
 * the socket on a later turn (its muxer runs on setImmediate too), so a handler that kills the
 * process at once (a poison message) would also kill the ack of an `acksLate: false` task, or of
 * the original a redelivered task was republished from. Two turns (the batcher, the muxer) and
 * one of margin.
 */
export async function acksOnTheWire(): Promise<void> {
  for (let turn = 0; turn < 3; turn++) await new Promise((resolve) => setImmediate(resolve));
}
