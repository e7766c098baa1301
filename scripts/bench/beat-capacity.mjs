#!/usr/bin/env node
/**
 * Beat with many schedules: memory, start-up and the cost of a fire, next to a naive scheduler
 * that scans every entry on every tick. No broker: both fire through the same code
 * (fireSlots: dueSlots → send → store.recordFire) with a sender that only counts, so the figures
 * are the scheduler's own cost, not the broker's.
 *
 *   npx tsc -b && node --expose-gc scripts/bench/beat-capacity.mjs [--count 100000] [--seconds 60] [--tick 100] [--json]
 *
 * Schedules (deterministic mix): 10% intervals of 1-10 s, 40% intervals of 1 min-1 day, 25%
 * 5-field crons and 25% 6-field (seconds) crons, spread over ten IANA zones. Interval anchors
 * are spread over their period so fires do not all land on the same millisecond.
 * The measured windows are a minute by default: the 6-field crons fire in bursts on the same
 * second (:00, :15, :30, :45), so shorter windows hold different mixes of fires for each loop.
 * Not a test: the figures depend on the machine.
 */
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import { BeatLoop, ScheduleHeap, fireSlots } from '@celeriac/beat';
import { MemoryScheduleStore, compileScheduleInput, dueSlots, nextSlot, silentLogger } from '@celeriac/core';
import { emit, progress } from './lib/output.mjs';
import { mixedSchedules } from './lib/schedule-mix.mjs';
import { distribution } from './lib/stats.mjs';

const { values } = parseArgs({
  options: {
    count: { type: 'string', default: '100000' },
    seconds: { type: 'string', default: '60' },
    tick: { type: 'string', default: '100' },
    json: { type: 'boolean', default: false },
  },
});
const COUNT = Number(values.count);
const RUN_MS = Number(values.seconds) * 1000;
const TICK_MS = Number(values.tick);
const WARM_UP_MS = 3000;

/** The mix of every beat benchmark (lib/schedule-mix.mjs), without a burst. */
function inputs(count) {
  return mixedSchedules(count);
}

function mb(bytes) {
  return `${(bytes / 1024 / 1024).toFixed(0)} MB`;
}

function gc() {
  globalThis.gc?.();
}

function memory() {
  gc();
  const { rss, heapUsed } = process.memoryUsage();
  return { rss, heapUsed };
}

function percentile(sorted, p) {
  return sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/** What a fire costs: CPU time over the window divided by the fires in it. */
function cpuPerFire(cpuBefore, fires) {
  const { user, system } = process.cpuUsage(cpuBefore);
  return { cpuMs: (user + system) / 1000, perFireUs: fires.length ? (user + system) / fires.length : NaN };
}

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function load() {
  const before = memory();
  let started = performance.now();
  const definitions = inputs(COUNT).map((input) => compileScheduleInput(input, new Date()));
  const compileMs = performance.now() - started;
  const store = new MemoryScheduleStore();
  for (const definition of definitions) await store.put(definition);
  return { store, before, compileMs };
}

/** Fire path shared by both schedulers: the real fireSlots with a counting sender. */
function fireDeps(store, fires) {
  const sender = { sendTask: async () => undefined };
  const emit = (event, info) => event === 'schedule:fired' && fires.push(info.lateMs);
  return { sender, store, logger: silentLogger, emit, clock: Date.now };
}

async function runHeapLoop(store) {
  const fires = [];
  const loop = new BeatLoop({ ...fireDeps(store, fires), toleranceMs: 5 });
  const started = performance.now();
  await loop.start();
  const buildMs = performance.now() - started;
  const loaded = memory();
  const { cost } = await measure(fires);
  await loop.stop();
  return { buildMs, loaded, fires, ...cost, scheduled: loop.scheduledCount };
}

/**
 * A warm-up first (JIT, and the slots that passed while loading, which either loop would fire
 * or drop at start), then the measured window; `fires` is emptied in between.
 */
async function measure(fires, reset = () => undefined) {
  await sleep(WARM_UP_MS);
  fires.length = 0;
  reset();
  const cpu = process.cpuUsage();
  await sleep(RUN_MS);
  return { cost: cpuPerFire(cpu, fires) };
}

/**
 * The baseline: every TICK_MS, look at every entry and fire those due. Same fire path and same
 * state; the only difference is the scan instead of the heap.
 */
async function runNaiveLoop(store) {
  const fires = [];
  const deps = fireDeps(store, fires);
  const entries = await store.list();
  const started = performance.now();
  const next = Float64Array.from(
    entries,
    (entry) =>
      nextSlot(entry.schedule, new Date(Math.max(Date.now(), Date.parse(entry.lastSlot ?? 0))))?.getTime() ?? Infinity,
  );
  const buildMs = performance.now() - started;
  const inFlight = new Set();
  let ticks = 0;
  const scan = (now) => {
    for (let i = 0; i < entries.length; i++)
      if (next[i] <= now && !inFlight.has(i)) (inFlight.add(i), void fireOne(i, now));
  };
  const fireOne = async (i, now) => {
    const plan = dueSlots(entries[i], new Date(now));
    const outcome = plan.fire.length
      ? await fireSlots(entries[i], plan.fire, deps)
      : { kind: 'fired', entry: entries[i] };
    if (outcome.entry) entries[i] = outcome.entry;
    next[i] = plan.next?.getTime() ?? Infinity;
    inFlight.delete(i);
  };
  const timer = setInterval(() => (ticks++, scan(Date.now())), TICK_MS);
  const { cost } = await measure(fires, () => (ticks = 0));
  clearInterval(timer);
  const scanMs = idleScanMs(scan);
  return { buildMs, fires, ...cost, scanMs, fireOnlyUs: ((cost.cpuMs - ticks * scanMs) * 1000) / fires.length };
}

/** One pass over every entry when nothing is due: what the baseline pays per tick regardless. */
function idleScanMs(scan) {
  const passes = 50;
  const started = performance.now();
  for (let i = 0; i < passes; i++) scan(0);
  return (performance.now() - started) / passes;
}

/** Heap operations alone at this size: one pop and one re-insert per fire. */
function heapOps(count) {
  const heap = ScheduleHeap.from(
    Array.from({ length: count }, (_, i) => ({ name: `h${i}`, next: Math.random() * 1e9 })),
  );
  const ops = 200_000;
  const started = performance.now();
  for (let i = 0; i < ops; i++) {
    const head = heap.pop();
    heap.set(head.name, head.next + Math.random() * 1e9);
  }
  return ((performance.now() - started) * 1000) / ops;
}

/** The schedule maths a fire runs (dueSlots, which also gives the next slot), by kind. */
async function mathsPerFire(store) {
  const entries = await store.list();
  const now = new Date();
  const cost = (kind) => {
    const sample = entries.filter((entry) => entry.schedule.kind === kind).slice(0, 2000);
    const started = performance.now();
    for (const entry of sample) dueSlots({ ...entry, lastSlot: new Date(now.getTime() - 60_000).toISOString() }, now);
    return ((performance.now() - started) * 1000) / sample.length;
  };
  return { interval: cost('interval'), cron: cost('cron') };
}

function report(load, heap, naive, heapOpUs, maths) {
  const sorted = (list) => [...list].sort((a, b) => a - b);
  const late = sorted(heap.fires);
  const naiveLate = sorted(naive.fires);
  const rows = [
    ['schedules loaded', COUNT.toLocaleString('en'), ''],
    ['compile + store (100% validated)', `${load.compileMs.toFixed(0)} ms (compile)`, ''],
    ['RSS / heap used before load', `${mb(load.before.rss)} / ${mb(load.before.heapUsed)}`, ''],
    ['RSS / heap used after load + heap build', `${mb(heap.loaded.rss)} / ${mb(heap.loaded.heapUsed)}`, ''],
    ['', 'min-heap loop', `naive scan every ${TICK_MS} ms`],
    ['build (store.list + first slot of each)', `${heap.buildMs.toFixed(0)} ms`, `${naive.buildMs.toFixed(0)} ms`],
    [`fires in ${RUN_MS / 1000} s`, String(heap.fires.length), String(naive.fires.length)],
    ['CPU per fire (whole process)', `${heap.perFireUs.toFixed(1)} µs`, `${naive.perFireUs.toFixed(1)} µs`],
    ['CPU in the window', `${heap.cpuMs.toFixed(0)} ms`, `${naive.cpuMs.toFixed(0)} ms`],
    [
      'fire lateness p50 / p99 / max',
      `${percentile(late, 50)} / ${percentile(late, 99)} / ${late.at(-1)} ms`,
      `${percentile(naiveLate, 50)} / ${percentile(naiveLate, 99)} / ${naiveLate.at(-1)} ms`,
    ],
    ['CPU per fire without the scans', `${heap.perFireUs.toFixed(1)} µs`, `${naive.fireOnlyUs.toFixed(1)} µs`],
    [
      'one scan of every entry (nothing due)',
      '— (never scans)',
      `${naive.scanMs.toFixed(2)} ms per tick = ${((naive.scanMs * 1000) / TICK_MS / 10).toFixed(1)}% of a core`,
    ],
    ['heap pop + re-insert at this size', `${heapOpUs.toFixed(2)} µs`, ''],
    ['dueSlots per fire: interval / cron', `${maths.interval.toFixed(1)} µs / ${maths.cron.toFixed(1)} µs`, ''],
  ];
  const widths = [0, 1, 2].map((c) => Math.max(...rows.map((row) => row[c].length)));
  emit(
    values.json,
    summary(load, heap, naive, heapOpUs, maths),
    rows.map((row) => row.map((cell, c) => cell.padEnd(widths[c])).join('  ')),
  );
}

/** The figures run.mjs reads (--json); memory in MB, CPU in µs, lateness in ms. */
function summary(load, heap, naive, heapOpUs, maths) {
  const megabytes = (bytes) => bytes / 1024 / 1024;
  const loop = (run) => ({ fires: run.fires.length, cpuPerFireUs: run.perFireUs, lateness: distribution(run.fires) });
  return {
    count: COUNT,
    seconds: RUN_MS / 1000,
    tickMs: TICK_MS,
    compileMs: load.compileMs,
    before: { rssMb: megabytes(load.before.rss), heapMb: megabytes(load.before.heapUsed) },
    loaded: { rssMb: megabytes(heap.loaded.rss), heapMb: megabytes(heap.loaded.heapUsed) },
    heapBuildMs: heap.buildMs,
    heap: loop(heap),
    naive: { ...loop(naive), fireOnlyUs: naive.fireOnlyUs, scanMs: naive.scanMs },
    heapOpUs,
    dueSlotsUs: maths,
  };
}

async function main() {
  progress(`loading ${COUNT} schedules...`);
  const loaded = await load();
  progress(`running the min-heap loop for ${RUN_MS / 1000} s...`);
  const heap = await runHeapLoop(loaded.store);
  progress(`running the naive scan loop for ${RUN_MS / 1000} s...`);
  const naive = await runNaiveLoop(loaded.store);
  report(loaded, heap, naive, heapOps(COUNT), await mathsPerFire(loaded.store));
  if (!globalThis.gc) progress('(run with node --expose-gc for memory figures after a collection)');
}

await main();
