/**
 * Queue inspection and clean-up on the private node (test/support/broker.ts talks to the
 * machine's broker instead). Each call opens and closes its own connection, so it works across
 * the faults a case injects.
 */
// Loaded before amqplib, for the header-table patch every connection of the tests relies on.
import '@celeriac/amqp';
import { connect, type Channel } from 'amqplib';
import { faultBroker } from './global-broker.js';

export async function withChannel<T>(use: (channel: Channel) => Promise<T>): Promise<T> {
  const connection = await connect(faultBroker().url);
  try {
    return await use(await connection.createChannel());
  } finally {
    await connection.close();
  }
}

/** Messages ready in the queue (not those a consumer holds unacknowledged). */
export function readyCount(queue: string): Promise<number> {
  return withChannel(async (channel) => (await channel.checkQueue(queue)).messageCount);
}

/** Deletes task queues and their same-named exchanges, as Celeriac and Celery declare them. */
export function deleteFaultQueues(...names: string[]): Promise<void> {
  return withChannel(async (channel) => {
    for (const name of names) {
      await channel.deleteQueue(name);
      await channel.deleteExchange(name);
    }
  });
}
