#!/usr/bin/env node
/**
 * What one of beat's fires keeps alive while it is in flight: N interval schedules due on the
 * same second, run by beat's loop (BeatLoop) over a memory store with a sender that never
 * confirms, so every fire stays in flight; the JS heap after a forced GC, before and after they
 * all started, divided by N. In a burst of 25,000 every fire is in flight until the burst is
 * handed out, and what they keep is what each scavenge copies. A diagnostic, not a row of
 * BENCHMARKS.md. --snapshot FILE also writes a heap snapshot with the fires in flight.
 *
 *   npx tsc -b && node --expose-gc scripts/bench/fire-retention.mjs [--count 25000] [--snapshot FILE]
 */
import { writeHeapSnapshot } from 'node:v8';
import { parseArgs } from 'node:util';
import { BeatLoop } from '@celeriac/beat';
import { MemoryScheduleStore, compileScheduleInput, silentLogger } from '@celeriac/core';
import { sleep } from './lib/broker.mjs';

const { values } = parseArgs({
  options: { count: { type: 'string', default: '25000' }, snapshot: { type: 'string' } },
});
const COUNT = Number(values.count);
if (typeof globalThis.gc !== 'function') throw new Error('run with node --expose-gc');

const due = new Date(Date.now() + 2000);
const store = new MemoryScheduleStore();
const created = new Date(due.getTime() - 60_000);
const schedule = (i) => ({
  name: `retained-${i}`,
  task: 'bench.noop',
  schedule: { kind: 'interval', everyMs: 3_600_000, anchor: due.toISOString() },
  missedRuns: 'skip',
});
await store.putMany(Array.from({ length: COUNT }, (_, i) => compileScheduleInput(schedule(i), created)));
let handed = 0;
// The confirms' resolvers are kept, as a broker connection keeps them: a promise nothing can
// settle is garbage, and so would be every frame waiting on it.
const unconfirmed = [];
const waitForever = () => ((handed += 1), new Promise((resolve) => unconfirmed.push(resolve)));
const sender = { sendTask: waitForever, send: waitForever };
const loop = new BeatLoop({
  store,
  logger: silentLogger,
  emit: () => undefined,
  sender,
  clock: Date.now,
  toleranceMs: 5,
});
await loop.start();
const heapUsed = () => (globalThis.gc(), process.memoryUsage().heapUsed);
const before = heapUsed();
while (handed < COUNT) await sleep(50);
await sleep(200);
const perFire = (heapUsed() - before) / COUNT;
console.log(
  `${unconfirmed.length.toLocaleString('en')} fires in flight: ${Math.round(perFire).toLocaleString('en')} bytes kept alive per fire`,
);
if (values.snapshot) console.log(`heap snapshot: ${writeHeapSnapshot(values.snapshot)}`);
await loop.stop().catch(() => undefined);
process.exit(0);
