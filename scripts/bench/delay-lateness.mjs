#!/usr/bin/env node
/**
 * How late delayed tasks run: sends N tasks with random countdowns through the delay lanes to a
 * worker in this process and records, for each, (time the handler started) − (its eta).
 *
 *   npx tsc -b && node scripts/bench/delay-lateness.mjs [--count 200] [--min 1] [--max 5] [--rate 0] [--concurrency 50]
 *       [--queue-type classic|quorum] [--json]
 *
 * Countdowns are drawn uniformly from [min, max] seconds with millisecond fractions, so both the
 * whole seconds spent in the lanes and the sub-second rest held in memory are exercised. --rate N
 * sends N tasks per second; the default 0 sends them all at once (a burst). --queue-type quorum
 * gives client and worker `queueType: 'quorum'`: the task queue and the delay lanes are quorum
 * queues (the lanes must not already exist as classic in the vhost). Uses a queue of its own
 * and deletes it (the lanes stay, as they do for an application). Env: CELERIAC_BROKER (default amqp://guest:guest@127.0.0.1:5672//).
 * Not a test: the figures depend on the machine and the broker's load.
 */
import { parseArgs } from 'node:util';
import { Client } from '@celeriac/client';
import { TaskRegistry, Worker } from '@celeriac/worker';
import { BROKER_URL, deleteQueues, queueName, queueTypeOption } from './lib/broker.mjs';
import { emit } from './lib/output.mjs';
import { distribution } from './lib/stats.mjs';

const { values } = parseArgs({
  options: {
    count: { type: 'string', default: '200' },
    min: { type: 'string', default: '1' },
    max: { type: 'string', default: '5' },
    concurrency: { type: 'string', default: '50' },
    rate: { type: 'string', default: '0' },
    'queue-type': { type: 'string', default: 'classic' },
    json: { type: 'boolean', default: false },
  },
});
const COUNT = Number(values.count);
const MIN_S = Number(values.min);
const MAX_S = Number(values.max);
const QUEUE = queueName('lateness');
const RATE = Number(values.rate);
const TASK = 'celeriac.bench.stamp';
const QUEUE_TYPE = queueTypeOption(values['queue-type']);

/** Lateness in ms per task id, filled by the handler. */
const lateness = new Map();

async function main() {
  const tasks = new TaskRegistry().register(TASK, (ctx) => void lateness.set(ctx.id, Date.now() - ctx.eta.getTime()));
  const worker = new Worker({
    brokerUrl: BROKER_URL,
    tasks,
    queues: [QUEUE],
    queueType: QUEUE_TYPE,
    concurrency: Number(values.concurrency),
    resultBackend: null,
  });
  const client = new Client({ brokerUrl: BROKER_URL, defaultQueue: QUEUE, queueType: QUEUE_TYPE, resultBackend: null });
  try {
    await worker.start();
    const started = Date.now();
    await sendAll(client);
    const deadline = Date.now() + (MAX_S + 30) * 1000;
    while (lateness.size < COUNT && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    report(Date.now() - started);
  } finally {
    await worker.stop({ timeoutMs: 5_000 });
    await client.close();
    await deleteQueues([QUEUE]);
  }
}

async function sendAll(client) {
  const sends = [];
  for (let i = 0; i < COUNT; i++) {
    const countdown = Math.round((MIN_S + Math.random() * (MAX_S - MIN_S)) * 1000) / 1000;
    sends.push(client.sendTask(TASK, [], {}, { countdown }));
    if (RATE > 0) await new Promise((resolve) => setTimeout(resolve, 1000 / RATE));
  }
  await Promise.all(sends);
}

function report(elapsedMs) {
  const late = distribution([...lateness.values()]);
  const early = [...lateness.values()].filter((ms) => ms < 0).length;
  const sending = RATE > 0 ? `${RATE}/s` : 'one burst';
  const result = {
    queueType: QUEUE_TYPE,
    count: COUNT,
    ran: late.count,
    minS: MIN_S,
    maxS: MAX_S,
    rate: RATE,
    elapsedMs,
    ...late,
    early,
  };
  emit(values.json, result, [
    `delay lateness (${QUEUE_TYPE}): ${late.count}/${COUNT} tasks ran, countdowns ${MIN_S}-${MAX_S} s, ${sending}, ${(elapsedMs / 1000).toFixed(1)} s in all`,
    `  run time - eta (ms): p50 ${late.p50}  p90 ${late.p90}  p99 ${late.p99}  max ${late.max}`,
    `  ran before their eta: ${early}`,
  ]);
  if (late.count < COUNT) process.exitCode = 1;
}

await main();
