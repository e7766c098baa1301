import { randomUUID } from 'node:crypto';
// Loaded before amqplib so its header-table fix for Python's 64-bit integers is in place for
// every connection in the test process (see packages/amqp/src/field-table-compat.ts).
import '@celeriac/amqp';
import { connect } from 'amqplib';

/** The broker integration tests talk to: CELERIAC_TEST_BROKER_URL, else the local RabbitMQ. */
export const BROKER_URL = process.env.CELERIAC_TEST_BROKER_URL ?? 'amqp://guest:guest@127.0.0.1:5672//';

/**
 * The beat group of this test run: its beats and schedule clients share a leader lock and
 * control queue no other run (or application) on the broker uses, so two suites can run at once.
 */
export const BEAT_GROUP = `test-${randomUUID().slice(0, 8)}`;

/** Beat groups beside this run's own (for a second, independent beat), deleted with it at the end. */
export const SIDE_BEAT_GROUPS = new Set<string>();

/** A beat group of this run's, other than BEAT_GROUP; its control queue goes at the end of the run. */
export function sideBeatGroup(suffix: string): string {
  const group = `${BEAT_GROUP}-${suffix}`;
  SIDE_BEAT_GROUPS.add(group);
  return group;
}

/** A queue or task name no other test (or test run) uses. */
export function uniqueName(prefix: string): string {
  return `celeriac.test.${prefix}.${randomUUID().slice(0, 8)}`;
}

/** Deletes queues and their same-named exchanges (as Celery and Celeriac declare task queues). */
export async function deleteQueues(...names: string[]): Promise<void> {
  const connection = await connect(BROKER_URL);
  try {
    const channel = await connection.createChannel();
    for (const name of names) {
      await channel.deleteQueue(name);
      await channel.deleteExchange(name);
    }
  } finally {
    await connection.close();
  }
}

/** Reads up to `max` messages from a queue without consuming it for good (they are acked). */
export async function drainQueue(name: string, max = 100) {
  const connection = await connect(BROKER_URL);
  try {
    const channel = await connection.createChannel();
    channel.on('error', () => undefined); // a 404 closes the channel; the rejected get says so
    const messages = [];
    for (let i = 0; i < max; i++) {
      const message = await channel.get(name, { noAck: true });
      if (!message) break;
      messages.push(message);
    }
    return messages;
  } finally {
    await connection.close();
  }
}

/** drainQueue, but none from a queue that does not exist (yet): one a sender declares at its first send. */
export async function drainQueueIfExists(name: string, max = 100) {
  return drainQueue(name, max).catch((error: unknown) => {
    if ((error as { code?: unknown }).code === 404) return [];
    throw error;
  });
}

/** Polls until `check` returns a value other than undefined, or fails after `timeoutMs`. */
export async function eventually<T>(
  check: () => T | undefined | Promise<T | undefined>,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
