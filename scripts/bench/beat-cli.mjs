#!/usr/bin/env node
/**
 * `celeriac beat` with many schedules, started from the CLI as a user starts it: a `--schedule`
 * file of N entries (the mix of beat-capacity.mjs) merged into a fresh store, the default file
 * store or a MongoDB-wire one (FerretDB, started here), on the real broker.
 *
 *   npx tsc -b && node scripts/bench/beat-cli.mjs [--store file|mongodb] [--count 100000] [--burst-in 12] [--json]
 *
 * Every fourth schedule is an hourly interval anchored on one second `--burst-in` seconds after
 * the start: a second on which a quarter of them fall due at once (25,000 of 100,000). Measured:
 *   start → leading:      the process spawned → its 'beat leading' log line (store loaded, lock held);
 *   start → first fire:   the process spawned → the first publish handed to amqplib;
 *   burst, last handed:   (the last publish of the burst handed to amqplib) − (the burst's slot),
 *                         from a probe loaded into the beat (lib/beat-probe.mjs); every slot of
 *                         the burst must be handed exactly once;
 *   RSS:                  /proc/<pid>/status when leading, and the peak (VmHWM) over the run;
 *   restart:              the beat stopped, a second one started on the same store and file (as a
 *                         deploy restarts it): start → leading, start → first fire, RSS when leading.
 * The beat logs at its default level (info: one line per fire), as a user runs it. Tasks go to
 * a queue of this run (deleted after) that nothing consumes. Not a test: figures depend on the machine.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startFerretdb } from '../lib/ferretdb.mjs';
import { beatControlQueue } from '@celeriac/amqp';
import { deleteQueues, queueName, sleep } from './lib/broker.mjs';
import { emit, progress } from './lib/output.mjs';
import { CLI, start, stop, unlessExited } from './lib/processes.mjs';
import { burstSecond, mixedSchedules } from './lib/schedule-mix.mjs';

const { values } = parseArgs({
  options: {
    store: { type: 'string', default: 'file' },
    count: { type: 'string', default: '100000' },
    'burst-in': { type: 'string', default: '12' },
    'log-level': { type: 'string', default: 'info' },
    profile: { type: 'string' },
    json: { type: 'boolean', default: false },
  },
});
const COUNT = Number(values.count);
const BURST_TASK = 'bench.burst';
const BURST_WAIT_MS = 30_000;
const QUEUE = queueName('beat-cli');
const GROUP = `bench-${process.pid}`;
const LEAD_WAIT_MS = 120_000;

async function scheduleFile(directory, burstAt) {
  const path = join(directory, 'schedules.json');
  const list = mixedSchedules(COUNT, {
    json: true,
    burst: { at: burstAt, task: BURST_TASK },
    options: { queue: QUEUE },
  });
  await writeFile(path, JSON.stringify(list));
  return { path, burst: list.filter((input) => input.task === BURST_TASK).length };
}

async function openStore(directory) {
  if (values.store === 'file')
    return { url: `file:${join(directory, 'celeriac-schedule.json')}`, close: async () => {} };
  const ferret = await startFerretdb();
  return { url: `${ferret.url.replace(/\/?$/, '/')}bench${process.pid}`, close: ferret.stop };
}

function rssOf(pid, field) {
  return readFile(`/proc/${pid}/status`, 'utf8')
    .then((text) => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(text)?.[1] ?? NaN) / 1024)
    .catch(() => NaN);
}

/** A sleep that does not keep this process alive once the run is over. */
function unrefSleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

/** Resolves with the time of the 'beat leading' line, watching the child's stderr. */
function leading(child) {
  return new Promise((resolve) => {
    let buffer = '';
    child.stderr.on('data', (chunk) => {
      buffer = (buffer + chunk.toString()).slice(-4096);
      if (buffer.includes('"message":"beat leading"')) resolve(Date.now());
    });
  });
}

function beatArgs(schedulePath, storeUrl) {
  const profile = values.profile ? ['--cpu-prof', '--cpu-prof-dir', values.profile] : [];
  const probe = new URL('./lib/beat-probe.mjs', import.meta.url).href;
  return [
    ...profile,
    '--import',
    probe,
    CLI,
    'beat',
    '--schedule',
    schedulePath,
    '--store',
    storeUrl,
    '--beat-group',
    GROUP,
    '--log-level',
    values['log-level'],
  ];
}

/**
 * Until the probe (saved every second) has seen the whole burst handed, at most BURST_WAIT_MS
 * after its slot: with the broker, the rest of the mix and a log line per fire, handing out
 * 25,000 fires takes seconds, and a fixed wait would count the tail as never handed.
 */
async function burstHanded(probePath, burstAt, size) {
  await sleep(Math.max(0, burstAt + 3000 - Date.now()));
  while (Date.now() < burstAt + BURST_WAIT_MS) {
    const probe = JSON.parse(await readFile(probePath, 'utf8').catch(() => '{}'));
    if ((probe.burst ?? 0) >= size) return;
    await sleep(1000);
  }
}

/** Spawns the beat; resolves once it leads, with the times and its RSS then. */
async function spawnBeat(schedulePath, storeUrl, probePath) {
  const spawnedAt = Date.now();
  const child = start(process.execPath, beatArgs(schedulePath, storeUrl), {
    env: { CELERIAC_LOG_FORMAT: 'json', CELERIAC_BENCH_PROBE: probePath, CELERIAC_BENCH_BURST_TASK: BURST_TASK },
  });
  const ledAt = await unlessExited(
    child,
    Promise.race([leading(child), unrefSleep(LEAD_WAIT_MS).then(() => NaN)]),
    'beat',
  );
  return { child, spawnedAt, ledAt, rssLeading: await rssOf(child.pid, 'VmRSS') };
}

/** Until the probe has seen a first publish (at most 10 s), then the probe's summary. */
async function firstPublish(child, probePath) {
  for (let i = 0; i < 20; i++) {
    await unlessExited(child, sleep(500), 'beat');
    const probe = JSON.parse(await readFile(probePath, 'utf8').catch(() => '{}'));
    if (probe.firstAt) return probe;
  }
  return { firstAt: null };
}

async function run(directory) {
  const burstAt = burstSecond(Number(values['burst-in']) * 1000);
  const schedules = await scheduleFile(directory, burstAt);
  const store = await openStore(directory);
  const probePath = join(directory, 'probe.json');
  try {
    const first = await spawnBeat(schedules.path, store.url, probePath);
    await unlessExited(first.child, burstHanded(probePath, burstAt.getTime(), schedules.burst), 'beat');
    const peak = await rssOf(first.child.pid, 'VmHWM');
    await stop(first.child);
    const probe = JSON.parse(await readFile(probePath, 'utf8'));
    const restartProbePath = join(directory, 'probe-restart.json');
    const again = await spawnBeat(schedules.path, store.url, restartProbePath);
    const restartProbe = await firstPublish(again.child, restartProbePath);
    await stop(again.child);
    const restart = { ...again, probe: restartProbe };
    return { ...first, peak, probe, burstAt: burstAt.getTime(), burstSize: schedules.burst, restart };
  } finally {
    await store.close();
  }
}

function report(r) {
  const result = {
    store: values.store,
    count: COUNT,
    logLevel: values['log-level'],
    leadingMs: r.ledAt - r.spawnedAt,
    firstFireMs: r.probe.firstAt === null ? NaN : r.probe.firstAt - r.spawnedAt,
    rssMb: r.rssLeading,
    peakRssMb: r.peak,
    burst: {
      size: r.burstSize,
      handed: r.probe.burst,
      lastLateMs: r.probe.burstLastAt - r.burstAt,
      firstLateMs: r.probe.burstFirstAt - r.burstAt,
    },
    publishes: r.probe.publishes,
    cpuSeconds: (r.probe.cpu.user + r.probe.cpu.system) / 1e6,
    restart: {
      leadingMs: r.restart.ledAt - r.restart.spawnedAt,
      firstFireMs: r.restart.probe.firstAt === null ? NaN : r.restart.probe.firstAt - r.restart.spawnedAt,
      rssMb: r.restart.rssLeading,
    },
  };
  progress(JSON.stringify(result));
  if (result.burst.handed !== r.burstSize)
    throw new Error(`the burst of ${r.burstSize} slots was handed ${result.burst.handed} times, not once each`);
  emit(values.json, result, [
    `celeriac beat, ${COUNT.toLocaleString('en')} schedules from --schedule, store ${values.store}, log level ${values['log-level']}`,
    `  start → leading: ${result.leadingMs} ms; start → first fire handed to amqplib: ${result.firstFireMs} ms`,
    `  RSS when leading: ${result.rssMb.toFixed(0)} MB; peak over the run: ${result.peakRssMb.toFixed(0)} MB`,
    `  burst of ${r.burstSize.toLocaleString('en')} on one second: first handed ${result.burst.firstLateMs} ms, last ${result.burst.lastLateMs} ms after the slot`,
    `  ${result.publishes} publishes in all; the beat's CPU ${result.cpuSeconds.toFixed(1)} s`,
    `  restart on the same store and file: leading ${result.restart.leadingMs} ms, first fire ${result.restart.firstFireMs} ms, RSS ${result.restart.rssMb.toFixed(0)} MB`,
  ]);
}

async function main() {
  const directory = await mkdtemp(join(tmpdir(), 'celeriac-bench-beat-cli-'));
  try {
    progress(`celeriac beat with ${COUNT} schedules, ${values.store} store...`);
    report(await run(directory));
  } finally {
    // The beat group's control queue is durable (edits wait in it for a leader): this run's is removed.
    await deleteQueues([QUEUE, beatControlQueue(GROUP).name]);
    await rm(directory, { recursive: true, force: true });
  }
}

await main();
