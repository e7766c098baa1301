#!/usr/bin/env node
/**
 * How late beat fires: N schedules due every second on the same anchor (so every second is a
 * burst of N fires at one instant), run by an in-process Beat (MemoryScheduleStore) against the
 * real broker for a while. Lateness per fire = (broker confirmed the publish and the slot is
 * recorded) − (slot time), from the beat's 'schedule:fired' events.
 *
 *   npx tsc -b && node scripts/bench/beat-lateness.mjs [--count 1000] [--seconds 20]
 *
 * The tasks go to a queue of this run that nothing consumes; it is deleted at the end. Needs
 * the leader lock: no other beat may lead on the broker meanwhile. For comparison, the same burst
 * is then sent by a plain Client: what the broker alone takes to confirm it. Env: CELERIAC_BROKER
 * (default amqp://guest:guest@127.0.0.1:5672//). Not a test: the figures depend on the machine.
 */
import { parseArgs } from 'node:util';
import { connect } from 'amqplib';
import { Beat } from '@celeriac/beat';
import { Client } from '@celeriac/client';
import { MemoryScheduleStore } from '@celeriac/core';

const BROKER_URL = process.env.CELERIAC_BROKER ?? 'amqp://guest:guest@127.0.0.1:5672//';
const { values } = parseArgs({ options: { count: { type: 'string', default: '1000' }, seconds: { type: 'string', default: '20' } } });
const COUNT = Number(values.count);
const RUN_MS = Number(values.seconds) * 1000;
const QUEUE = `celeriac.bench.beat-lateness.${process.pid}`;
const LEAD_WAIT_MS = 15_000;

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Every schedule on one anchor, a little ahead, so the first slot is after the beat leads. */
function schedules(anchor) {
  return Array.from({ length: COUNT }, (_, i) => ({ name: `bench-${i}`, task: 'celeriac.bench.beat_tick', schedule: { kind: 'interval', everyMs: 1000, anchor }, options: { queue: QUEUE } }));
}

async function deleteQueue() {
  const model = await connect(BROKER_URL);
  try {
    const channel = await model.createChannel();
    const { messageCount } = await channel.deleteQueue(QUEUE);
    await channel.deleteExchange(QUEUE);
    return messageCount;
  } finally {
    await model.close();
  }
}

function leading(beat) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`not leading within ${LEAD_WAIT_MS / 1000} s: does another beat lead on this broker?`)), LEAD_WAIT_MS);
    beat.once('leader:acquired', () => (clearTimeout(timer), resolve()));
  });
}

/** Per second of slots: how many fired and how late the last one of the burst was. */
function perBurst(fires) {
  const bursts = new Map();
  for (const { slot, lateMs } of fires) bursts.set(slot, Math.max(bursts.get(slot) ?? 0, lateMs));
  return [...bursts.values()].sort((a, b) => a - b);
}

/**
 * The broker's share: the same burst sent by a plain Client (confirmed publishes, no beat), a few
 * times; the time until the last of COUNT sends is confirmed.
 */
async function clientBurstMs(rounds = 5) {
  const client = new Client({ brokerUrl: BROKER_URL, resultBackend: null, connectionName: 'celeriac-bench-client' });
  const times = [];
  try {
    for (let round = 0; round < rounds; round++) {
      const started = Date.now();
      await Promise.all(Array.from({ length: COUNT }, () => client.sendTask('celeriac.bench.beat_tick', [], {}, { queue: QUEUE })));
      times.push(Date.now() - started);
    }
  } finally {
    await client.close();
  }
  return times.sort((a, b) => a - b);
}

function report(fires, leftInQueue, burst) {
  const late = fires.map((fire) => fire.lateMs).sort((a, b) => a - b);
  const bursts = perBurst(fires);
  const rows = [
    ['schedules', String(COUNT)],
    ['fires', `${fires.length} (${leftInQueue - burst.length * COUNT} in the queue at the end)`],
    ['lateness p50 / p90 / p99 / max', `${percentile(late, 50)} / ${percentile(late, 90)} / ${percentile(late, 99)} / ${late.at(-1)} ms`],
    ['last fire of a burst, p50 / max', `${percentile(bursts, 50)} / ${bursts.at(-1)} ms (${bursts.length} bursts)`],
    ['fired before the slot', String(late.filter((ms) => ms < 0).length)],
    [`plain Client, ${COUNT} sends at once`, `last confirmed after ${percentile(burst, 50)} ms (median of ${burst.length}; min ${burst[0]}, max ${burst.at(-1)})`],
  ];
  for (const [label, value] of rows) console.log(`${label.padEnd(32)} ${value}`);
}

async function main() {
  const store = new MemoryScheduleStore();
  const anchor = new Date(Math.ceil((Date.now() + 3000) / 1000) * 1000);
  const beat = new Beat({ brokerUrl: BROKER_URL, store, schedules: schedules(anchor), connectionName: 'celeriac-bench-beat' });
  const fires = [];
  beat.on('schedule:fired', ({ slot, lateMs }) => fires.push({ slot: slot.getTime(), lateMs }));
  const led = leading(beat);
  await beat.start();
  try {
    await led;
    console.log(`${COUNT} schedules every second from ${anchor.toISOString()}; measuring for ${RUN_MS / 1000} s...`);
    await sleep(anchor.getTime() - Date.now() + RUN_MS);
  } finally {
    await beat.stop();
    await store.close();
  }
  const burst = await clientBurstMs();
  report(fires, await deleteQueue(), burst);
}

await main();
