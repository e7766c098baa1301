#!/usr/bin/env node
/**
 * How late beat fires: N schedules due every second, run by an in-process Beat
 * (MemoryScheduleStore) against the real broker for a while.
 *
 *   npx tsc -b && node scripts/bench/beat-lateness.mjs [--count 1000] [--seconds 20] [--spread] [--json]
 *
 * Shapes: by default every schedule has the same anchor, so every second is a burst of N fires at
 * one instant; with --spread the anchors are spread evenly over the second (N fires a second,
 * steady). Two lateness measures per fire:
 *   handed:    (beat hands the publish to amqplib's confirm channel) − (slot time), taken by
 *              wrapping ConfirmChannel.prototype.publish in this process;
 *   confirmed: (the broker confirmed the publish and the slot is recorded) − (slot time), from
 *              the beat's 'schedule:fired' events.
 * The tasks go to a queue of this run that nothing consumes; it is deleted at the end. Needs the
 * leader lock: no other beat may lead on the broker meanwhile. The baseline follows the beat run:
 * for 5 s, the same slots fired by plain setTimeouts that each send the task with a Client (no
 * schedule maths, no store), with the same two measures: what the machine and the broker add to
 * any scheduler. Env: CELERIAC_BROKER.
 * Not a test: the figures depend on the machine.
 */
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { Beat } from '@celeriac/beat';
import { Client } from '@celeriac/client';
import { MemoryScheduleStore } from '@celeriac/core';
import { deleteQueues, queueName, sleep, withChannel } from './lib/broker.mjs';
import { emit } from './lib/output.mjs';
import { distribution } from './lib/stats.mjs';

const { values } = parseArgs({
  options: {
    count: { type: 'string', default: '1000' },
    seconds: { type: 'string', default: '20' },
    spread: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
  },
});
const COUNT = Number(values.count);
const RUN_MS = Number(values.seconds) * 1000;
const QUEUE = queueName('beat-lateness');
const LEAD_WAIT_MS = 15_000;
const BASELINE_MS = 5000;
/** The first second of slots is left out of both figures: connection set-up and a cold JIT. */
const WARM_UP_MS = 1000;

/** Offset of schedule i within the second: all 0 (burst), or spread evenly. */
function phase(i) {
  return values.spread ? Math.floor((i * 1000) / COUNT) : 0;
}

/** Every schedule on one anchor (or spread over the second), a little ahead, so the first slot is after the beat leads. */
function schedules(anchor) {
  return Array.from({ length: COUNT }, (_, i) => ({
    name: `bench-${i}`,
    task: 'celeriac.bench.beat_tick',
    schedule: { kind: 'interval', everyMs: 1000, anchor: new Date(anchor.getTime() + phase(i)) },
    options: { queue: QUEUE },
  }));
}

/**
 * Records when each task id is handed to amqplib, for every confirm channel of this process. The
 * prototype comes from a live channel: amqplib does not export the class.
 */
async function recordHandOffs() {
  const handedAt = new Map();
  const prototype = await withChannel((channel) => Object.getPrototypeOf(channel), { confirm: true });
  const publish = prototype.publish;
  prototype.publish = function (exchange, routingKey, content, options, cb) {
    if (options?.correlationId) handedAt.set(options.correlationId, Date.now());
    return publish.call(this, exchange, routingKey, content, options, cb);
  };
  return handedAt;
}

async function queueDepth() {
  return withChannel(async (channel) => (await channel.checkQueue(QUEUE)).messageCount);
}

function leading(beat) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`not leading within ${LEAD_WAIT_MS / 1000} s: does another beat lead on this broker?`)),
      LEAD_WAIT_MS,
    );
    beat.once('leader:acquired', () => (clearTimeout(timer), resolve()));
  });
}

/** Per second of slots: how late the last fire of that second was confirmed. */
function perSecond(fires) {
  const seconds = new Map();
  for (const { slot, lateMs } of fires)
    seconds.set(Math.floor(slot / 1000), Math.max(seconds.get(Math.floor(slot / 1000)) ?? 0, lateMs));
  return [...seconds.values()];
}

/**
 * The baseline: no beat, one plain setTimeout per slot of the same shape (armed a second ahead)
 * that sends the task with a Client. Its lateness is what the machine and the broker add to any
 * scheduler firing these slots; the rest of beat's is beat's own.
 */
async function timersWithClient(handedAt) {
  const client = new Client({ resultBackend: null, connectionName: 'celeriac-bench-timers' });
  const fires = [];
  const fire = async (slot) => {
    const taskId = randomUUID();
    await client.sendTask('celeriac.bench.beat_tick', [], {}, { queue: QUEUE, taskId });
    fires.push({ slot, lateMs: Date.now() - slot, handedMs: (handedAt.get(taskId) ?? NaN) - slot });
  };
  try {
    await client.sendTask('celeriac.bench.beat_tick', [], {}, { queue: QUEUE });
    const first = Math.ceil((Date.now() + 1000) / 1000) * 1000;
    for (let second = first; second < first + BASELINE_MS; second += 1000) {
      await sleep(second - 1000 - Date.now());
      for (let i = 0; i < COUNT; i++) setTimeout(() => void fire(second + phase(i)), second + phase(i) - Date.now());
    }
    await sleep(first + BASELINE_MS + 2000 - Date.now());
    return { fires, start: first };
  } finally {
    await client.close();
  }
}

async function runBeat(handedAt) {
  const store = new MemoryScheduleStore();
  const anchor = new Date(Math.ceil((Date.now() + 3000) / 1000) * 1000);
  const beat = new Beat({ store, schedules: schedules(anchor), connectionName: 'celeriac-bench-beat' });
  const fires = [];
  beat.on('schedule:fired', ({ slot, taskId, lateMs }) =>
    fires.push({ slot: slot.getTime(), lateMs, handedMs: (handedAt.get(taskId) ?? NaN) - slot.getTime() }),
  );
  const led = leading(beat);
  await beat.start();
  try {
    await led;
    await sleep(anchor.getTime() - Date.now() + RUN_MS);
  } finally {
    await beat.stop();
    await store.close();
  }
  return { fires, start: anchor.getTime() };
}

function afterWarmUp({ fires, start }) {
  return fires.filter((fire) => fire.slot >= start + WARM_UP_MS);
}

/** Lateness distributions of a set of fires: handed to amqplib, and confirmed. */
function lateness(fires) {
  return {
    handed: distribution(fires.map((fire) => fire.handedMs)),
    confirmed: distribution(fires.map((fire) => fire.lateMs)),
    early: fires.filter((fire) => fire.handedMs < 0).length,
  };
}

function report(run, inQueue, baseline) {
  const fires = afterWarmUp(run);
  const beat = lateness(fires);
  const timers = lateness(afterWarmUp(baseline));
  const lastOfSecond = distribution(perSecond(fires));
  const shape = values.spread ? 'spread over the second' : 'all due at the same instant';
  const result = {
    count: COUNT,
    seconds: RUN_MS / 1000,
    shape: values.spread ? 'spread' : 'burst',
    fires: run.fires.length,
    measured: fires.length,
    inQueue,
    ...beat,
    lastOfSecond,
    timers,
  };
  const line = (d) => `${d.p50} / ${d.p90} / ${d.p99} / ${d.max} ms`;
  emit(values.json, result, [
    `${COUNT} schedules every second, ${shape}, ${RUN_MS / 1000} s: ${run.fires.length} fires (${inQueue} tasks in the queue at the end); the ${fires.length} after the first second measured`,
    `  beat, slot → handed to amqplib     p50 / p90 / p99 / max: ${line(beat.handed)}`,
    `  beat, slot → confirmed + recorded  p50 / p90 / p99 / max: ${line(beat.confirmed)}`,
    `  beat, last fire of each second, confirmed, p50 / max: ${lastOfSecond.p50} / ${lastOfSecond.max} ms`,
    `  beat, handed before the slot (tick tolerance): ${beat.early}`,
    `  baseline, setTimeout + Client.sendTask per slot, ${BASELINE_MS / 1000} s (the first second left out too):`,
    `    slot → handed to amqplib     p50 / p90 / p99 / max: ${line(timers.handed)}`,
    `    slot → confirmed             p50 / p90 / p99 / max: ${line(timers.confirmed)}`,
  ]);
}

async function main() {
  try {
    const handedAt = await recordHandOffs();
    const run = await runBeat(handedAt);
    const inQueue = await queueDepth();
    if (inQueue !== run.fires.length)
      throw new Error(`${run.fires.length} fires reported but ${inQueue} tasks in the queue`);
    report(run, inQueue, await timersWithClient(handedAt));
  } finally {
    await deleteQueues([QUEUE]);
  }
}

await main();
