#!/usr/bin/env node
/**
 * The raw baseline of the drain benchmark, a process of its own like the workers it is compared
 * with: an amqplib consumer with manual acks that decodes nothing and acknowledges every message
 * as it arrives.
 *
 *   node scripts/bench/apps/raw-consumer.mjs <queue> <prefetch>
 *
 * Runs until SIGTERM. Env: CELERIAC_BROKER. The prefetch is per consumer (never global), so the
 * queue may be classic or quorum.
 */
import { connect } from 'amqplib';

const [queue, prefetch] = process.argv.slice(2);
// amqplib takes one URL: the first node of a cluster list ('amqp://h1;amqp://h2').
const url = (process.env.CELERIAC_BROKER ?? 'amqp://guest:guest@127.0.0.1:5672//').split(';')[0];
const model = await connect(url, {
  clientProperties: { connection_name: 'celeriac-bench-raw-consumer' },
});
const channel = await model.createChannel();
await channel.prefetch(Number(prefetch));
await channel.consume(queue, (message) => message && channel.ack(message), { noAck: false });

process.once('SIGTERM', () => {
  model.close().finally(() => process.exit(0));
});
