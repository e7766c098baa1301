/**
 * Reads this test's messages from the shared `celeriac.dead` queue. Other tests (and other test
 * processes) dead-letter there too, so only messages whose correlation id is ours are taken;
 * the rest are put back untouched. The queue is never purged.
 */
import { connect, type GetMessage } from 'amqplib';
import { BROKER_URL, eventually } from './broker.js';

export const DEAD_LETTER_QUEUE = 'celeriac.dead';
const MAX_SCAN = 5000;

/** Waits until a dead letter with this correlation id arrives, removes it and returns it. */
export async function takeDeadLetter(correlationId: string, timeoutMs = 10_000): Promise<GetMessage> {
  return eventually(async () => (await takeDeadLetters([correlationId]))[0], timeoutMs);
}

/** Removes and returns the dead letters (present right now) whose correlation id is listed. */
export async function takeDeadLetters(correlationIds: readonly string[]): Promise<GetMessage[]> {
  const connection = await connect(BROKER_URL);
  try {
    const channel = await connection.createChannel();
    const mine: GetMessage[] = [];
    for (let i = 0; i < MAX_SCAN; i++) {
      const message = await channel.get(DEAD_LETTER_QUEUE, { noAck: false });
      if (!message) break;
      if (correlationIds.includes(String(message.properties.correlationId))) mine.push(message);
    }
    for (const message of mine) channel.ack(message);
    // Closing the channel returns everyone else's unacknowledged messages to the queue.
    await channel.close();
    return mine;
  } finally {
    await connection.close();
  }
}
