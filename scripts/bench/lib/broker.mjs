/**
 * What every benchmark does with the broker directly through amqplib: queue names, the task
 * queue's declaration, confirmed publishing (the raw baseline and the pre-fill), waiting for a
 * worker and clean-up. '@celeriac/amqp' is imported first for its header patch, so messages a
 * Python peer writes can be read here too.
 */
import '@celeriac/amqp';
import { once } from 'node:events';
import { connect } from 'amqplib';
import { onInterrupt } from './exit.mjs';

export const BROKER_URL = process.env.CELERIAC_BROKER ?? 'amqp://guest:guest@127.0.0.1:5672//';
/** amqplib takes one URL: the first node of a cluster list ('amqp://h1;amqp://h2', as Celery writes it). */
const FIRST_URL = BROKER_URL.split(';')[0];
/** The queue types a benchmark can declare its task queue as (--queue-type). */
export const QUEUE_TYPES = ['classic', 'quorum'];
/** Every queue and exchange the benchmarks create starts with this, so clean-up can find them. */
export const PREFIX = 'celeriac.bench.';

let sequence = 0;
const created = new Set();
onInterrupt(() => deleteQueues([...created]));

/** A queue name of this process; the queue is deleted if the process is interrupted. */
export function queueName(kind) {
  const name = `${PREFIX}${kind}.${process.pid}.${++sequence}`;
  created.add(name);
  return name;
}

export function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Runs `fn` with a fresh connection and channel, closed afterwards whatever happens. */
export async function withChannel(fn, { confirm = false, name = 'celeriac-bench' } = {}) {
  const model = await connect(FIRST_URL, { clientProperties: { connection_name: name } });
  try {
    const channel = confirm ? await model.createConfirmChannel() : await model.createChannel();
    return await fn(channel, model);
  } finally {
    await model.close().catch(() => undefined);
  }
}

/**
 * The queue as Celeriac and Celery declare a task queue: durable, a direct exchange of its name;
 * `x-queue-type: quorum` for a quorum queue, no type argument for a classic one.
 */
export async function declareTaskQueue(channel, queue, queueType = 'classic') {
  const args = queueType === 'quorum' ? { 'x-queue-type': 'quorum' } : {};
  await channel.assertQueue(queue, { durable: true, autoDelete: false, exclusive: false, arguments: args });
  await channel.assertExchange(queue, 'direct', { durable: true, autoDelete: false });
  await channel.bindQueue(queue, queue, queue);
}

/** Deletes queues (and the exchanges of the same name), ignoring those already gone. */
export async function deleteQueues(names) {
  await withChannel(async (_, model) => {
    for (const name of names) {
      const channel = await model.createChannel();
      channel.on('error', () => undefined);
      await channel.deleteQueue(name).catch(() => undefined);
      await channel.deleteExchange(name).catch(() => undefined);
      await channel.close().catch(() => undefined);
    }
  });
}

/**
 * Publishes every message to `queue` on a confirm channel, one callback per message, and waits
 * for all confirms. A false from sendToQueue means amqplib's buffer is full: wait for 'drain'
 * before writing more, as amqplib asks.
 */
export async function confirmPublishAll(channel, queue, messages) {
  const confirms = [];
  for (const message of messages) {
    const { ok, confirmed } = sendConfirmed(channel, queue, message);
    confirms.push(confirmed);
    if (!ok) await once(channel, 'drain');
  }
  await Promise.all(confirms);
}

function sendConfirmed(channel, queue, { body, properties }) {
  let ok = true;
  const confirmed = new Promise((resolve, reject) => {
    ok = channel.sendToQueue(queue, body, properties, (error) => (error ? reject(error) : resolve()));
  });
  // Awaited with the others later; a nack while waiting for 'drain' is not an unhandled rejection.
  confirmed.catch(() => undefined);
  return { ok, confirmed };
}

/** Fills a new task queue with `messages` (raw confirmed publishing: the quickest way). */
export async function prefill(queue, messages, queueType = 'classic') {
  await withChannel(
    async (channel) => {
      await declareTaskQueue(channel, queue, queueType);
      await confirmPublishAll(channel, queue, messages);
      const { messageCount } = await channel.checkQueue(queue);
      if (messageCount !== messages.length)
        throw new Error(`pre-fill: ${messageCount} of ${messages.length} messages in ${queue}`);
    },
    { confirm: true, name: 'celeriac-bench-prefill' },
  );
}

/** RabbitMQ's version, from the server properties of a connection. */
export async function brokerVersion() {
  return withChannel(async (_, model) => {
    const { product, version } = model.connection.serverProperties;
    return `${String(product)} ${String(version)}`;
  });
}

/** The --queue-type of a benchmark script, checked. */
export function queueTypeOption(value) {
  if (!QUEUE_TYPES.includes(value)) throw new Error(`--queue-type must be one of ${QUEUE_TYPES.join(', ')}`);
  return value;
}

/** Waits until `queue` has a consumer: how a benchmark knows a worker process is ready. */
export async function waitForConsumer(queue, timeoutMs = 30_000) {
  await withChannel(
    async (channel) => {
      const deadline = Date.now() + timeoutMs;
      while ((await channel.checkQueue(queue)).consumerCount === 0) {
        if (Date.now() > deadline) throw new Error(`no consumer on ${queue} within ${timeoutMs / 1000} s`);
        await sleep(20);
      }
    },
    { name: 'celeriac-bench-ready' },
  );
}
