#!/usr/bin/env node
/**
 * Publish throughput: N no-op tasks, persistent, each confirmed by the broker, sent all at once
 * and awaited together.
 *
 *   npx tsc -b && node scripts/bench/publish.mjs --impl celeriac|raw [--count 20000] [--window 0]
 *       [--queue-type classic|quorum] [--body-size BYTES] [--json]
 *
 * celeriac: one Client (resultBackend null), `sendTask` N times without waiting, then
 *   Promise.all. Building each message (task id, encoding) is part of the measured time.
 * raw: amqplib on a confirm channel, `sendToQueue` with a callback per message, the same bytes
 *   as the Client publishes (encoded before the clock starts), pausing on 'drain' when amqplib
 *   says its buffer is full; then waits for every confirm. The ceiling for this broker.
 * --window W keeps at most W sends unconfirmed (a producer that limits what it has in flight).
 * --body-size B sends tasks whose message body is B bytes (one string argument); without it, the
 *   no-op with no arguments (a body of 48 bytes). The warm-up is smaller for large bodies.
 * --queue-type quorum declares the task queue as a quorum queue (Client `queueType: 'quorum'`).
 *
 * Also reported: this process's CPU time per task over the measured batch (user + system).
 * A warm-up of 500 sends (connection, queue declaration, JIT) precedes the measured batch. A queue
 * of its own, deleted at the end. Env: CELERIAC_BROKER.
 */
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import { Client } from '@celeriac/client';
import {
  BROKER_URL,
  confirmPublishAll,
  declareTaskQueue,
  deleteQueues,
  queueName,
  queueTypeOption,
  withChannel,
} from './lib/broker.mjs';
import { NOOP, argsOfBodySize, noopMessage, noopMessages } from './lib/messages.mjs';
import { emit, rate } from './lib/output.mjs';

const { values } = parseArgs({
  options: {
    impl: { type: 'string', default: 'celeriac' },
    count: { type: 'string', default: '20000' },
    window: { type: 'string', default: '0' },
    'queue-type': { type: 'string', default: 'classic' },
    'body-size': { type: 'string', default: '0' },
    json: { type: 'boolean', default: false },
  },
});
const COUNT = Number(values.count);
const WINDOW = Number(values.window);
const QUEUE_TYPE = queueTypeOption(values['queue-type']);
const ARGS = argsOfBodySize(Number(values['body-size']));
const BODY_BYTES = noopMessage(ARGS).body.length;
// About 2 MB of warm-up sends for large bodies (connection, declaration, JIT), 500 for small ones.
const WARM_UP = Math.max(20, Math.min(500, Math.floor(2_000_000 / BODY_BYTES)));
const QUEUE = queueName('publish');

/** Runs `send(i)` COUNT times, all at once or with at most WINDOW unsettled. */
async function windowed(count, send) {
  if (!(WINDOW > 0)) return Promise.all(Array.from({ length: count }, (_, i) => send(i)));
  let next = 0;
  const lane = async () => {
    while (next < count) await send(next++);
  };
  await Promise.all(Array.from({ length: Math.min(WINDOW, count) }, lane));
}

/** Wall time and this process's CPU time (user + system) of `fn`. */
async function timed(fn) {
  const cpu = process.cpuUsage();
  const started = performance.now();
  await fn();
  const { user, system } = process.cpuUsage(cpu);
  return { elapsedMs: performance.now() - started, cpuMs: (user + system) / 1000 };
}

async function celeriac() {
  const client = new Client({
    brokerUrl: BROKER_URL,
    defaultQueue: QUEUE,
    queueType: QUEUE_TYPE,
    resultBackend: null,
    connectionName: 'celeriac-bench-publish',
  });
  try {
    await windowed(WARM_UP, () => client.sendTask(NOOP, ARGS, {}));
    return await timed(() => windowed(COUNT, () => client.sendTask(NOOP, ARGS, {})));
  } finally {
    await client.close();
  }
}

async function raw() {
  return withChannel(
    async (channel) => {
      await declareTaskQueue(channel, QUEUE, QUEUE_TYPE);
      await confirmPublishAll(channel, QUEUE, noopMessages(WARM_UP, ARGS));
      const messages = noopMessages(COUNT, ARGS);
      if (!(WINDOW > 0)) return timed(() => confirmPublishAll(channel, QUEUE, messages));
      return timed(() => windowed(COUNT, (i) => confirmPublishAll(channel, QUEUE, [messages[i]])));
    },
    { confirm: true, name: 'celeriac-bench-publish-raw' },
  );
}

async function main() {
  const impls = { celeriac, raw };
  if (!impls[values.impl]) throw new Error(`--impl must be one of ${Object.keys(impls).join(', ')}`);
  try {
    const { elapsedMs, cpuMs } = await impls[values.impl]();
    const perSecond = (COUNT * 1000) / elapsedMs;
    const cpuPerTaskUs = (cpuMs * 1000) / COUNT;
    const result = {
      impl: values.impl,
      queueType: QUEUE_TYPE,
      count: COUNT,
      window: WINDOW,
      bodyBytes: BODY_BYTES,
      elapsedMs,
      perSecond,
      megabytesPerSecond: (perSecond * BODY_BYTES) / 1e6,
      cpuPerTaskUs,
    };
    emit(values.json, result, [
      `publish ${values.impl} (${QUEUE_TYPE}): ${COUNT} tasks of ${BODY_BYTES} bytes${WINDOW ? `, at most ${WINDOW} in flight` : ' at once'} in ${elapsedMs.toFixed(0)} ms = ${rate(perSecond)}, ${cpuPerTaskUs.toFixed(0)} µs CPU a task in this process`,
    ]);
  } finally {
    await deleteQueues([QUEUE]);
  }
}

await main();
