#!/usr/bin/env node
/**
 * The raw baseline of the round-trip benchmark: an amqplib consumer that answers each task that
 * has a reply_to with a small transient message (confirmed, as Celeriac's rpc results are), then
 * acknowledges it. It decodes nothing but the reply_to and correlation id.
 *
 *   node scripts/bench/apps/raw-rpc-worker.mjs <queue> <prefetch>
 *
 * Runs until SIGTERM. Env: CELERIAC_BROKER.
 */
import { connect } from 'amqplib';

const [queue, prefetch] = process.argv.slice(2);
const url = process.env.CELERIAC_BROKER ?? 'amqp://guest:guest@127.0.0.1:5672//';
const options = { clientProperties: { connection_name: 'celeriac-bench-raw-rpc-worker' } };
// Consuming and publishing on separate connections, as the Celeriac worker does.
const [consuming, publishing] = await Promise.all([connect(url, options), connect(url, options)]);
const replies = await publishing.createConfirmChannel();
const channel = await consuming.createChannel();
await channel.prefetch(Number(prefetch));
const REPLY = Buffer.from('{"status": "SUCCESS"}');

function answer(message) {
  const { replyTo, correlationId } = message.properties;
  if (!replyTo) return channel.ack(message);
  replies.sendToQueue(
    replyTo,
    REPLY,
    { correlationId, contentType: 'application/json', contentEncoding: 'utf-8' },
    () => channel.ack(message),
  );
}

await channel.consume(queue, (message) => message && answer(message), { noAck: false });
process.once('SIGTERM', () => {
  Promise.allSettled([consuming.close(), publishing.close()]).finally(() => process.exit(0));
});
