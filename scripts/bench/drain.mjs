#!/usr/bin/env node
/**
 * Worker drain: how fast one worker process empties a queue pre-filled with N no-op tasks.
 *
 *   npx tsc -b && node scripts/bench/drain.mjs --impl celeriac|raw|celery [--count 20000] [--json]
 *       [--concurrency 200] [--prefetch-multiplier 4] [--celery-concurrency <cores>] [--profile DIR]
 *       [--queue-type classic|quorum] [--events] [--processes N]
 *
 * celeriac: `celeriac worker --pool inline` (results disabled), -c and
 *   --prefetch-multiplier as given. raw: scripts/bench/apps/raw-consumer.mjs, an amqplib consumer
 *   that acks each message undecoded, with the same prefetch as the Celeriac worker (concurrency ×
 *   multiplier). celery: `python3 -m celery worker -P prefork -c <cores>` (scripts/bench/python).
 *   --queue-type quorum fills a quorum queue and runs the worker with --queue-type quorum (celeriac
 *   and raw only: Debian's Celery 5.2 has no quorum setting). --events runs the Celeriac worker
 *   with -E (task events) while this process consumes every event from a queue bound to celeryev,
 *   as a monitor (Flower, `celery events`) would; the events received are reported. --processes N
 *   runs `celeriac worker --processes N`: N supervised worker processes, each with the -c and
 *   prefetch given (celeriac only).
 *
 * The same method for all three: the queue is filled (raw confirmed publishes of the bytes a
 * Client sends), then the worker process is started while this process polls the queue's ready
 * count (passive declare) every --poll ms. The clock starts at the first poll that sees fewer
 * than N messages (so start-up does not count) and stops at the first poll that sees none; the
 * rate is the messages taken in between over that time. Messages a consumer holds unacked
 * (at most its prefetch) are not in the ready count: they are taken at the start and still being
 * worked at the end alike, so the two ends cancel to within a prefetch. After the worker is
 * stopped the queue must be empty (nothing requeued), or the run fails. Also reported: the worker's
 * CPU time per task over the same window (user + system, its whole process group, from /proc),
 * the local broker's (its beam.smp, when it runs on this host) and the machine's busy share (all
 * cores, /proc/stat). Env: CELERIAC_BROKER.
 */
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import { deleteQueues, prefill, queueName, queueTypeOption, sleep, withChannel } from './lib/broker.mjs';
import { groupCpuMs, localBrokerPid, machineCpuMs, processCpuMs } from './lib/cpu.mjs';
import { noopMessages } from './lib/messages.mjs';
import { emit, progress, rate } from './lib/output.mjs';
import { ROOT, celeriacWorker, celeryWorker, profileFlags, start, stop, unlessExited } from './lib/processes.mjs';

const { values } = parseArgs({
  options: {
    impl: { type: 'string', default: 'celeriac' },
    count: { type: 'string', default: '20000' },
    concurrency: { type: 'string', default: '200' },
    'prefetch-multiplier': { type: 'string', default: '4' },
    'celery-concurrency': { type: 'string', default: String(cpus().length) },
    poll: { type: 'string', default: '10' },
    profile: { type: 'string' },
    'queue-type': { type: 'string', default: 'classic' },
    events: { type: 'boolean', default: false },
    processes: { type: 'string', default: '0' },
    json: { type: 'boolean', default: false },
  },
});
const COUNT = Number(values.count);
const CONCURRENCY = Number(values.concurrency);
const MULTIPLIER = Number(values['prefetch-multiplier']);
const POLL_MS = Number(values.poll);
const DRAIN_TIMEOUT_MS = 300_000;
const SETTLE_MS = 1500;
const QUEUE_TYPE = queueTypeOption(values['queue-type']);
const PROCESSES = Number(values.processes);

const CONTESTANTS = {
  celeriac: (queue) =>
    celeriacWorker(queue, {
      concurrency: CONCURRENCY,
      prefetchMultiplier: MULTIPLIER,
      profileDir: values.profile,
      queueType: QUEUE_TYPE,
      events: values.events,
      processes: PROCESSES,
    }),
  raw: (queue) =>
    start(
      process.execPath,
      [...profileFlags(values.profile), 'scripts/bench/apps/raw-consumer.mjs', queue, String(CONCURRENCY * MULTIPLIER)],
      { cwd: ROOT },
    ),
  celery: (queue) => celeryWorker(queue, { concurrency: Number(values['celery-concurrency']) }),
};

function settings() {
  if (values.impl === 'celery')
    return {
      pool: 'prefork',
      concurrency: Number(values['celery-concurrency']),
      prefetch: `${4 * Number(values['celery-concurrency'])} (Celery's default, 4 × concurrency)`,
    };
  if (values.impl === 'raw') return { prefetch: CONCURRENCY * MULTIPLIER };
  return {
    pool: 'inline',
    concurrency: CONCURRENCY,
    prefetch: CONCURRENCY * MULTIPLIER,
    events: values.events,
    processes: PROCESSES,
  };
}

/** CPU counters read at both ends of the window: the worker's group, the broker, the whole machine. */
function cpuNow(pgid, brokerPid) {
  return { worker: groupCpuMs(pgid), broker: processCpuMs(brokerPid), machine: machineCpuMs() };
}

function cpuOver(before, after) {
  const total = after.machine.totalMs - before.machine.totalMs;
  return {
    cpuMs: after.worker - before.worker,
    brokerCpuMs: after.broker - before.broker,
    machineBusy: (after.machine.busyMs - before.machine.busyMs) / total,
  };
}

/**
 * Polls the ready count until the queue is empty: how long the drain took and what it took in,
 * and the CPU time over the same window (the worker's whole process group, the local broker's,
 * the machine's busy share). With --processes N the clock waits for N consumers: the process
 * that starts first would otherwise drain alone while the others start, counted against them.
 */
async function watch(channel, queue, pgid) {
  let first = null;
  const brokerPid = localBrokerPid();
  const consumers = Math.max(1, PROCESSES);
  const deadline = performance.now() + DRAIN_TIMEOUT_MS;
  while (performance.now() < deadline) {
    const { messageCount, consumerCount } = await channel.checkQueue(queue);
    const at = performance.now();
    if (first === null && messageCount < COUNT && consumerCount >= consumers)
      first = { at, messageCount, cpu: cpuNow(pgid, brokerPid) };
    if (messageCount === 0 && !first) throw new Error(`drained before ${consumers} consumers were up: raise --count`);
    if (messageCount === 0)
      return { elapsedMs: at - first.at, taken: first.messageCount, ...cpuOver(first.cpu, cpuNow(pgid, brokerPid)) };
    await sleep(POLL_MS);
  }
  throw new Error(`the queue was not drained within ${DRAIN_TIMEOUT_MS / 1000} s`);
}

/** A monitor's queue on celeryev (Celery's receiver arguments), consumed without acks; counts what arrives. */
async function listenToEvents(channel) {
  const counter = { events: 0 };
  if (!values.events) return counter;
  await channel.assertExchange('celeryev', 'topic', { durable: true, autoDelete: false });
  const { queue } = await channel.assertQueue('', {
    autoDelete: true,
    durable: false,
    arguments: { 'x-expires': 60_000, 'x-message-ttl': 5_000 },
  });
  await channel.bindQueue(queue, 'celeryev', '#');
  await channel.consume(queue, () => (counter.events += 1), { noAck: true });
  return counter;
}

async function drain(queue) {
  return withChannel(
    async (channel, model) => {
      const counter = await listenToEvents(await model.createChannel());
      const child = CONTESTANTS[values.impl](queue);
      try {
        const drained = await unlessExited(child, watch(channel, queue, child.pid), `the ${values.impl} worker`);
        // The last messages may still be unacked in the worker (not in the ready count): let them
        // finish before stopping it, so a requeue afterwards means a lost ack, not a cut-off.
        await sleep(SETTLE_MS);
        return { ...drained, eventsReceived: counter.events };
      } finally {
        await stop(child);
      }
    },
    { name: 'celeriac-bench-drain-observer' },
  );
}

async function main() {
  if (!CONTESTANTS[values.impl]) throw new Error(`--impl must be one of ${Object.keys(CONTESTANTS).join(', ')}`);
  if (values.impl === 'celery' && QUEUE_TYPE !== 'classic') throw new Error('--impl celery drains classic queues only');
  if (PROCESSES > 0 && values.impl !== 'celeriac') throw new Error('--processes is for --impl celeriac only');
  const queue = queueName('drain');
  try {
    progress(`drain ${values.impl}: filling ${queue} with ${COUNT} tasks...`);
    await prefill(queue, noopMessages(COUNT), QUEUE_TYPE);
    const { elapsedMs, taken, cpuMs, brokerCpuMs, machineBusy, eventsReceived } = await drain(queue);
    const left = await withChannel(async (channel) => (await channel.checkQueue(queue)).messageCount);
    if (left !== 0)
      throw new Error(`${left} messages were back in the queue after the worker stopped: not all were acknowledged`);
    const perSecond = (taken * 1000) / elapsedMs;
    const cpuPerTaskUs = (cpuMs * 1000) / taken;
    const result = {
      impl: values.impl,
      queueType: QUEUE_TYPE,
      count: COUNT,
      measured: taken,
      elapsedMs,
      perSecond,
      cpuPerTaskUs,
      brokerCpuPerTaskUs: (brokerCpuMs * 1000) / taken,
      machineBusyPercent: machineBusy * 100,
      ...(values.events ? { eventsReceived } : {}),
      ...settings(),
    };
    emit(values.json, result, [
      `drain ${values.impl} (${QUEUE_TYPE}): ${taken} of ${COUNT} tasks in ${elapsedMs.toFixed(0)} ms = ${rate(perSecond)}, worker CPU ${cpuPerTaskUs.toFixed(0)} µs a task (${JSON.stringify(settings())})`,
    ]);
  } finally {
    await deleteQueues([queue]);
  }
}

await main();
