#!/usr/bin/env node
/**
 * Round trip: send a task and wait for its result, one after another; latency p50/p99, first on
 * an idle system, then while a third process sends a steady background load of no-op tasks to
 * the same worker.
 *
 *   npx tsc -b && node scripts/bench/round-trip.mjs --impl celeriac|raw [--count 2000] [--load 500] [--concurrency 10] [--json] [--profile DIR]
 *
 * celeriac: `await (await client.sendTask(echo, [i])).get()` with rpc:// results, against a
 *   `celeriac worker --pool inline` process (-c --concurrency, prefetch ×2).
 * raw: the same task message published by amqplib (persistent, confirmed) with a reply_to, to
 *   scripts/bench/apps/raw-rpc-worker.mjs, which answers with a confirmed transient reply and
 *   acks (prefetch the same); the reply is consumed from an exclusive queue. The ceiling.
 * The client is this process, connected and warmed up with 200 round trips before the clock
 * starts; latency = send call → result in hand, so it holds the publish confirm, the worker's
 * receive-run-report and the reply's delivery. The load (scripts/bench/apps/steady-load.mjs) is
 * fire-and-forget. A queue of its own, deleted at the end. Env: CELERIAC_BROKER.
 */
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import { declareTaskQueue, deleteQueues, queueName, sleep, waitForConsumer, withChannel } from './lib/broker.mjs';
import { celeriacCaller, rawCaller } from './lib/callers.mjs';
import { emit, ms } from './lib/output.mjs';
import { ROOT, celeriacWorker, profileFlags, start, stop, unlessExited } from './lib/processes.mjs';
import { distribution } from './lib/stats.mjs';

const { values } = parseArgs({
  options: {
    impl: { type: 'string', default: 'celeriac' },
    count: { type: 'string', default: '2000' },
    load: { type: 'string', default: '500' },
    concurrency: { type: 'string', default: '10' },
    profile: { type: 'string' },
    json: { type: 'boolean', default: false },
  },
});
const COUNT = Number(values.count);
const CONCURRENCY = Number(values.concurrency);
const LOAD = Number(values.load);
const WARM_UP = 200;
const LOAD_SETTLE_MS = 1000;
const QUEUE = queueName('round-trip');

const CONTESTANTS = {
  celeriac: {
    worker: () =>
      celeriacWorker(QUEUE, { concurrency: CONCURRENCY, resultBackend: 'rpc://', profileDir: values.profile }),
    caller: () => celeriacCaller(QUEUE),
  },
  raw: {
    worker: () =>
      start(
        process.execPath,
        [...profileFlags(values.profile), 'scripts/bench/apps/raw-rpc-worker.mjs', QUEUE, String(CONCURRENCY * 2)],
        { cwd: ROOT },
      ),
    caller: () => rawCaller(QUEUE),
  },
};

async function roundTrips(caller, count) {
  const latencies = [];
  for (let i = 0; i < count; i++) {
    const started = performance.now();
    await caller.call(i);
    latencies.push(performance.now() - started);
  }
  return latencies;
}

/** Round trips while steady-load.mjs sends LOAD tasks per second to the same queue; and the rate it held. */
async function underLoad(caller) {
  const load = start(process.execPath, ['scripts/bench/apps/steady-load.mjs', QUEUE, String(LOAD)], {
    cwd: ROOT,
    stdout: 'pipe',
  });
  let output = '';
  load.stdout.on('data', (chunk) => (output += chunk));
  let latencies;
  try {
    await unlessExited(load, sleep(LOAD_SETTLE_MS), 'the load generator');
    latencies = await unlessExited(load, roundTrips(caller, COUNT), 'the load generator');
  } finally {
    await stop(load);
  }
  const { sent, elapsedMs } = JSON.parse(output || '{}');
  return { ...distribution(latencies), loadPerSecond: (sent * 1000) / elapsedMs };
}

async function measure() {
  await withChannel((channel) => declareTaskQueue(channel, QUEUE));
  const { worker: startWorker, caller: openCaller } = CONTESTANTS[values.impl];
  const worker = startWorker();
  const caller = await openCaller();
  try {
    await unlessExited(worker, waitForConsumer(QUEUE), 'the worker');
    await unlessExited(worker, roundTrips(caller, WARM_UP), 'the worker');
    const idle = distribution(await unlessExited(worker, roundTrips(caller, COUNT), 'the worker'));
    const loaded = LOAD > 0 ? await unlessExited(worker, underLoad(caller), 'the worker') : null;
    return { idle, loaded };
  } finally {
    await caller.close();
    await stop(worker);
  }
}

function line(label, d) {
  const load = d.loadPerSecond ? `, load held at ${Math.round(d.loadPerSecond)}/s` : '';
  return `${label}: p50 ${ms(d.p50, 2)}  p90 ${ms(d.p90, 2)}  p99 ${ms(d.p99, 2)}  max ${ms(d.max, 2)}  (${d.count} round trips${load})`;
}

async function main() {
  if (!CONTESTANTS[values.impl]) throw new Error(`--impl must be one of ${Object.keys(CONTESTANTS).join(', ')}`);
  try {
    const { idle, loaded } = await measure();
    const lines = [
      line(`${values.impl} round trip, idle`, idle),
      ...(loaded ? [line(`${values.impl} round trip, ${LOAD} tasks/s background load`, loaded)] : []),
    ];
    emit(values.json, { impl: values.impl, count: COUNT, load: LOAD, concurrency: CONCURRENCY, idle, loaded }, lines);
  } finally {
    await deleteQueues([QUEUE]);
  }
}

await main();
