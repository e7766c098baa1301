/**
 * The two clients of the round-trip benchmark, behind one shape: `call(i)` sends the echo task
 * with argument i and resolves when its result is in hand.
 */
import { once } from 'node:events';
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import { encodeTask } from '@celeriac/protocol';
import { Client } from '@celeriac/client';
import { BROKER_URL, confirmPublishAll } from './broker.mjs';
import { ECHO } from './messages.mjs';
import { connect } from 'amqplib';

const RESULT_TIMEOUT_MS = 10_000;

/** One Client with rpc:// results: what an application does. */
export async function celeriacCaller(queue) {
  const client = new Client({ defaultQueue: queue, connectionName: 'celeriac-bench-round-trip' });
  return {
    async call(i) {
      const result = await client.sendTask(ECHO, [i]);
      if ((await result.get({ timeoutMs: RESULT_TIMEOUT_MS })) !== i) throw new Error(`round trip ${i}: wrong result`);
    },
    close: () => client.close(),
  };
}

/**
 * amqplib alone: the same task message, persistent and confirmed, with a reply_to; the reply
 * comes on an exclusive queue of this connection, matched by correlation id.
 */
export async function rawCaller(queue) {
  const options = { clientProperties: { connection_name: 'celeriac-bench-raw-round-trip' } };
  const [publishing, replies] = await Promise.all([connect(BROKER_URL, options), connect(BROKER_URL, options)]);
  const channel = await publishing.createConfirmChannel();
  const replyChannel = await replies.createChannel();
  const { queue: replyTo } = await replyChannel.assertQueue('', { exclusive: true });
  const arrived = new EventTarget();
  await replyChannel.consume(
    replyTo,
    (message) => message && arrived.dispatchEvent(new Event(message.properties.correlationId)),
    { noAck: true },
  );
  const origin = `gen${process.pid}@${hostname()}`;
  return {
    async call(i) {
      const id = randomUUID();
      const reply = once(arrived, id, { signal: AbortSignal.timeout(RESULT_TIMEOUT_MS) });
      await confirmPublishAll(channel, queue, [encodeTask({ id, name: ECHO, args: [i], kwargs: {}, origin, replyTo })]);
      await reply;
    },
    close: () => Promise.allSettled([publishing.close(), replies.close()]),
  };
}
