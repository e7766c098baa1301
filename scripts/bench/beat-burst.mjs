#!/usr/bin/env node
/**
 * Beat's own cost in its worst second, without a broker in the loop: N mixed schedules (the mix
 * of beat-capacity.mjs) merged into a store as `celeriac beat --schedule` merges them, run by
 * beat's loop (BeatLoop) with a sender that only counts; every fourth schedule falls due on one
 * second (25,000 of 100,000).
 *
 *   npx tsc -b && node --expose-gc scripts/bench/beat-burst.mjs [--store memory|file|mongodb] [--count 100000] [--burst-in 20]
 *       [--report-behind] [--json]
 *
 * Measured: the merge and the loop's start; RSS after them (a forced GC, then 0.2 s), the
 * highest RSS while the mix runs before the burst, and the peak (VmHWM); for the burst, when its last fire was handed to the sender and when its last fire was
 * recorded in the store, both from the slot; every slot of the burst must be handed exactly
 * once. Before the burst, from the loop's start until 0.2 s before the burst, the steady mix alone:
 * its fires, their CPU, and how late a 50 ms timer fired at worst (a loop that cannot keep up
 * starves the event loop). With --json those figures are printed as a line of their own
 * (`partial: true`) before the burst, as are the loading figures as soon as they are taken, so a
 * run stopped before it ends still has them. `mongodb`
 * starts a FerretDB of its own. Not a test: the figures depend on the machine.
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import { BeatLoop, ScheduleEditor } from '@celeriac/beat';
import { openScheduleStore, silentLogger } from '@celeriac/core';
import { startFerretdb } from '../lib/ferretdb.mjs';
import { sleep } from './lib/broker.mjs';
import { emit, progress } from './lib/output.mjs';
import { burstSecond, mixedSchedules } from './lib/schedule-mix.mjs';

const { values } = parseArgs({
  options: {
    store: { type: 'string', default: 'memory' },
    count: { type: 'string', default: '100000' },
    'burst-in': { type: 'string', default: '20' },
    'report-behind': { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
  },
});
const COUNT = Number(values.count);
const BURST_TASK = 'bench.burst';

async function openStore(directory) {
  if (values.store === 'memory') return { store: await openScheduleStore('memory:'), stop: async () => {} };
  if (values.store === 'file')
    return { store: await openScheduleStore(`file:${join(directory, 'store.json')}`), stop: async () => {} };
  const ferret = await startFerretdb();
  const store = await openScheduleStore(`${ferret.url}/bench${process.pid}`);
  return { store, stop: ferret.stop };
}

/** Read synchronously: a loop that cannot keep up starves the event loop, and with it async reads. */
function memoryMb(field) {
  const status = readFileSync('/proc/self/status', 'utf8');
  return Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? NaN) / 1024;
}

/**
 * RSS once a forced GC's pages are back with the system: V8 hands them back from other threads
 * for some tens of ms after the collection, and a reading taken at once came out 20-40 MB high
 * or not, run by run (159-209 MB for the same code).
 */
async function settledRssMb() {
  globalThis.gc?.();
  await sleep(200);
  return memoryMb('VmRSS');
}

/** The counting sender and the recorded fires of the burst. */
function observer() {
  const seen = { handed: 0, lastHanded: NaN, recorded: 0, lastRecorded: NaN, fires: 0 };
  const sender = {
    sendTask: async (task) => {
      seen.fires += 1;
      if (task === BURST_TASK) ((seen.handed += 1), (seen.lastHanded = Date.now()));
    },
  };
  const burstNames = new Set();
  const emitEvent = (event, info) => {
    if (event === 'schedule:fired' && burstNames.has(info.name))
      ((seen.recorded += 1), (seen.lastRecorded = Date.now()));
  };
  return { seen, sender, emitEvent, burstNames };
}

/** The merge, in a function of its own so that the 100,000 inputs are garbage once it returns: not beat's memory. */
async function merge(store, burstAt, watch) {
  const inputs = mixedSchedules(COUNT, { burst: { at: burstAt, task: BURST_TASK } });
  for (const input of inputs) if (input.task === BURST_TASK) watch.burstNames.add(input.name);
  const started = performance.now();
  await new ScheduleEditor(store, null).mergeAll(inputs);
  return performance.now() - started;
}

async function run(store, burstAt) {
  const watch = observer();
  const mergeMs = await merge(store, burstAt, watch);
  const deps = { store, logger: silentLogger, emit: watch.emitEvent, sender: watch.sender, clock: Date.now };
  const loop = new BeatLoop({ ...deps, toleranceMs: 5 });
  const started = performance.now();
  await loop.start();
  const startMs = performance.now() - started;
  const rssMb = await settledRssMb();
  const loaded = { partial: true, store: values.store, count: COUNT, mergeMs, loopStartMs: startMs, rssMb };
  // Written at once (a pipe's writes are synchronous on Linux), before the loop can starve us.
  if (values.json) emit(true, loaded, []);
  if (Date.now() > burstAt.getTime()) throw new Error('loading took longer than --burst-in: raise it');
  const steady = await steadyMix(watch.seen, burstAt.getTime() - 200);
  if (values.json) emit(true, { ...loaded, steady }, []);
  const cpu = process.cpuUsage();
  const firesBefore = watch.seen.fires;
  await waitFor(() => watch.seen.recorded >= watch.burstNames.size, burstAt.getTime() + 60_000);
  const { user, system } = process.cpuUsage(cpu);
  const fires = watch.seen.fires - firesBefore;
  // stop() waits for every fire to be recorded: with FerretDB's ~5 ms per update that is minutes.
  await Promise.race([loop.stop(), sleep(5000)]);
  return {
    mergeMs,
    startMs,
    rssMb,
    steady,
    peakMb: memoryMb('VmHWM'),
    seen: watch.seen,
    burst: watch.burstNames.size,
    cpuMs: (user + system) / 1000,
    fires,
  };
}

/**
 * The mix's own fires until `until`: their CPU, the worst lateness of a 50 ms timer meanwhile,
 * and the highest RSS read every 50 ms (garbage and all, as an operator's graph shows it).
 */
async function steadyMix(seen, until) {
  const [cpu, fires, started] = [process.cpuUsage(), seen.fires, performance.now()];
  let timerLateMs = 0;
  let rssMaxMb = 0;
  while (Date.now() < until - 50) {
    const asked = performance.now();
    await sleep(50);
    timerLateMs = Math.max(timerLateMs, performance.now() - asked - 50);
    rssMaxMb = Math.max(rssMaxMb, memoryMb('VmRSS'));
  }
  const { user, system } = process.cpuUsage(cpu);
  const n = seen.fires - fires;
  const seconds = (performance.now() - started) / 1000;
  return {
    fires: n,
    firesPerSecond: n / seconds,
    cpuPerFireUs: (user + system) / n,
    cpuShare: (user + system) / 1e6 / seconds,
    timerLateMs,
    rssMaxMb,
  };
}

async function waitFor(done, deadline) {
  while (!done() && Date.now() < deadline) await sleep(50);
}

/** With --report-behind, a burst not all handed within its minute is a figure (a beat behind), not a failure. */
function report(r, burstAt) {
  const slot = burstAt.getTime();
  const complete = r.seen.handed === r.burst;
  const result = {
    store: values.store,
    count: COUNT,
    mergeMs: r.mergeMs,
    loopStartMs: r.startMs,
    rssMb: r.rssMb,
    peakRssMb: r.peakMb,
    steady: r.steady,
    burst: {
      size: r.burst,
      handed: r.seen.handed,
      recorded: r.seen.recorded,
      lastHandedMs: complete ? r.seen.lastHanded - slot : NaN,
      lastRecordedMs: r.seen.lastRecorded - slot,
    },
    cpuPerBurstFireUs: complete ? (r.cpuMs * 1000) / r.fires : NaN,
    windowCpuPerFireUs: (r.cpuMs * 1000) / r.fires,
    windowFires: r.fires,
  };
  if (r.seen.handed > r.burst || (!complete && !values['report-behind']))
    throw new Error(`the burst of ${r.burst} slots was handed ${r.seen.handed} times, not once each`);
  emit(values.json, result, [
    `beat loop, ${COUNT.toLocaleString('en')} schedules, ${values.store} store, counting sender (no broker)`,
    `  merge into the store: ${r.mergeMs.toFixed(0)} ms; loop start (load + heap): ${r.startMs.toFixed(0)} ms`,
    `  RSS after loading (a GC, then 0.2 s): ${r.rssMb.toFixed(0)} MB; highest while the mix ran: ${r.steady.rssMaxMb.toFixed(0)} MB; peak: ${r.peakMb.toFixed(0)} MB`,
    `  the mix before the burst: ${r.steady.firesPerSecond.toFixed(0)} fires/s, ${r.steady.cpuPerFireUs.toFixed(1)} µs CPU a fire, a 50 ms timer up to ${r.steady.timerLateMs.toFixed(0)} ms late`,
    `  burst of ${r.burst.toLocaleString('en')}: ${r.seen.handed} handed within a minute; last handed ${result.burst.lastHandedMs} ms, last recorded ${result.burst.lastRecordedMs} ms after the slot`,
    `  CPU per fire from 0.2 s before the burst until it was recorded: ${result.cpuPerBurstFireUs.toFixed(1)} µs (${r.fires} fires)`,
  ]);
}

async function main() {
  const directory = await mkdtemp(join(tmpdir(), 'celeriac-bench-beat-burst-'));
  const { store, stop } = await openStore(directory);
  try {
    const burstAt = burstSecond(Number(values['burst-in']) * 1000);
    progress(
      `beat loop with ${COUNT} schedules, ${values.store} store, burst at ${burstAt.toISOString()} (${Math.round(burstAt.getTime() - performance.timeOrigin)} ms after the process started: a window for profile-top.mjs --from)...`,
    );
    report(await run(store, burstAt), burstAt);
  } finally {
    await Promise.race([store.close(), sleep(5000)]);
    await stop();
    await rm(directory, { recursive: true, force: true });
  }
}

await main();
// Fires still being recorded (a slow store) must not keep the process alive after the report.
process.exit();
