/**
 * Reads a case's dead letters from `celeriac.dead` on the private node. The queue is shared by
 * every case of the suite, so only the letters dead-lettered from the case's own task queue
 * (header x-celeriac-dead-queue) are taken; the rest go back untouched.
 */
import { DEAD_LETTER_QUEUE } from '@celeriac/amqp';
import { withChannel } from './fault-queues.js';

export interface DeadLetter {
  correlationId: string;
  code: string;
  reason: string;
  body: Buffer;
}

const MAX_SCAN = 10_000;

/** Removes and returns the dead letters (present right now) that came from `queue`. */
export function takeDeadLettersOf(queue: string): Promise<DeadLetter[]> {
  return withChannel(async (channel) => {
    const mine: DeadLetter[] = [];
    for (let i = 0; i < MAX_SCAN; i++) {
      const message = await channel.get(DEAD_LETTER_QUEUE, { noAck: false });
      if (!message) break;
      const headers = message.properties.headers ?? {};
      if (headers['x-celeriac-dead-queue'] !== queue) continue;
      channel.ack(message);
      mine.push({
        correlationId: String(message.properties.correlationId),
        code: String(headers['x-celeriac-dead-code']),
        reason: String(headers['x-celeriac-dead-reason'] ?? ''),
        body: message.content,
      });
    }
    // Closing the channel settles our acks first, then returns everyone else's letters to the queue.
    await channel.close();
    return mine;
  });
}
