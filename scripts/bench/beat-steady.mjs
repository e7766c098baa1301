#!/usr/bin/env node
/**
 * Beat, N interval schedules due every second, on the real broker (issue 17, item 1): how many
 * fires a second reach the queue, sustained, beside a plain Client publishing the same tasks at
 * N a second and beside Python Celery beat with the same N entries.
 *
 *   npx tsc -b && node scripts/bench/beat-steady.mjs --impl celeriac|client|celery|celery-pypi
 *       [--count 10000] [--seconds 10] [--warm-up 3] [--start-wait 120] [--profile DIR] [--json]
 *
 * celeriac: `celeriac beat --schedule <file of N> --store file:<dir>/celeriac-schedule.json` (the
 *   default file store, default log level info: a line per fire), each schedule an interval of
 *   1 s whose anchors are spread over the second. client: scripts/bench/apps/steady-load.mjs, one
 *   Client (no results) sending N no-op tasks a second in ticks of 10 ms. celery: Debian's Celery
 *   5.2 `celery beat` (scripts/bench/python/bench_beat.py: N entries of timedelta(seconds=1), the
 *   default PersistentScheduler, confirm_publish); celery-pypi: the same with .venv-celery's Celery.
 * All publish the no-op task, persistent and confirmed, to a queue of this run that nothing consumes.
 *
 * Counting: every second this process reads the queue's message count (a passive declare); what
 * it grew by arrived in that second. The window starts --warm-up seconds after the first
 * second in which anything arrived, and lasts --seconds; reported are the mean rate over it, the
 * worst and best second, start → first arrival, and the publisher's CPU per fire (its process
 * group, over the window). A publisher that sent nothing within --start-wait seconds is reported
 * with a rate of 0. --profile DIR writes a CPU profile of the Celeriac beat or the Client (node
 * --cpu-prof).
 * Env: CELERIAC_BROKER.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import { VENV_PYTHON } from '../lib/python-peers.mjs';
import { beatControlQueue } from '@celeriac/amqp';
import { declareTaskQueue, deleteQueues, queueName, sleep, withChannel } from './lib/broker.mjs';
import { groupCpuMs } from './lib/cpu.mjs';
import { NOOP } from './lib/messages.mjs';
import { emit, progress, rate } from './lib/output.mjs';
import { CLI, ROOT, SYSTEM_PYTHON, profileFlags, start, stop, unlessExited } from './lib/processes.mjs';

const { values } = parseArgs({
  options: {
    impl: { type: 'string', default: 'celeriac' },
    count: { type: 'string', default: '10000' },
    seconds: { type: 'string', default: '10' },
    'warm-up': { type: 'string', default: '3' },
    'start-wait': { type: 'string', default: '120' },
    profile: { type: 'string' },
    json: { type: 'boolean', default: false },
  },
});
const COUNT = Number(values.count);
const SECONDS = Number(values.seconds);
const WARM_UP = Number(values['warm-up']);
const START_WAIT_S = Number(values['start-wait']);
const QUEUE = queueName('beat-steady');
const GROUP = `bench-${process.pid}`;

/** N intervals of one second, anchored across the second so they do not all fall on one instant. */
async function scheduleFile(directory) {
  const now = Date.now();
  const list = Array.from({ length: COUNT }, (_, i) => ({
    name: `steady-${i}`,
    task: NOOP,
    schedule: { kind: 'interval', everyMs: 1000, anchor: new Date(now + Math.floor((i * 1000) / COUNT)).toISOString() },
    options: { queue: QUEUE },
  }));
  const path = join(directory, 'schedules.json');
  await writeFile(path, JSON.stringify(list));
  return path;
}

async function celeriacBeat(directory) {
  const args = [...profileFlags(values.profile), CLI, 'beat', '--schedule', await scheduleFile(directory)];
  args.push('--store', `file:${join(directory, 'celeriac-schedule.json')}`, '--beat-group', GROUP);
  return start(process.execPath, args, { env: { CELERIAC_LOG_FORMAT: 'json' } });
}

function celeryBeat(python, directory) {
  const args = ['-m', 'celery', '-A', 'bench_beat', 'beat', '-s', join(directory, 'celerybeat-schedule'), '-l', 'info'];
  return start(python, args, {
    cwd: join(ROOT, 'scripts/bench/python'),
    env: { PYTHONDONTWRITEBYTECODE: '1', CELERIAC_BENCH_BEAT_QUEUE: QUEUE, CELERIAC_BENCH_BEAT_COUNT: String(COUNT) },
  });
}

const CONTESTANTS = {
  celeriac: celeriacBeat,
  client: async () =>
    start(process.execPath, [
      ...profileFlags(values.profile),
      'scripts/bench/apps/steady-load.mjs',
      QUEUE,
      String(COUNT),
    ]),
  celery: async (directory) => celeryBeat(SYSTEM_PYTHON, directory),
  'celery-pypi': async (directory) => celeryBeat(VENV_PYTHON, directory),
};

/** One second's count: the queue's growth since the last look (nothing consumes it). */
async function tick(channel, last, pgid) {
  await sleep(Math.max(0, last.at + 1000 - performance.now()));
  const { messageCount } = await channel.checkQueue(QUEUE);
  return { at: performance.now(), total: messageCount, arrived: messageCount - last.total, cpuMs: groupCpuMs(pgid) };
}

/** Seconds until something arrives (or --start-wait passes), then warm-up, then the window. */
async function count(channel, pgid, spawnedAt) {
  let last = { at: performance.now(), total: 0, arrived: 0, cpuMs: groupCpuMs(pgid) };
  while (last.arrived === 0) {
    if (last.at - spawnedAt > START_WAIT_S * 1000) return null;
    last = await tick(channel, last, pgid);
  }
  const firstArrivalMs = last.at - spawnedAt;
  for (let i = 0; i < WARM_UP; i++) last = await tick(channel, last, pgid);
  const ticks = [last];
  for (let i = 0; i < SECONDS; i++) ticks.push(await tick(channel, ticks.at(-1), pgid));
  return { firstArrivalMs, ticks };
}

function summary({ firstArrivalMs, ticks }) {
  const [first, ...rest] = ticks;
  const fires = rest.reduce((sum, t) => sum + t.arrived, 0);
  const elapsedMs = rest.at(-1).at - first.at;
  const perTick = rest.map((t, i) => (t.arrived * 1000) / (t.at - ticks[i].at));
  return {
    perSecond: (fires * 1000) / elapsedMs,
    worstSecond: Math.min(...perTick),
    bestSecond: Math.max(...perTick),
    firstArrivalMs,
    fires,
    cpuPerFireUs: fires ? ((rest.at(-1).cpuMs - first.cpuMs) * 1000) / fires : NaN,
    perSecondList: perTick.map(Math.round),
  };
}

async function run(directory) {
  const spawnedAt = performance.now();
  const child = await CONTESTANTS[values.impl](directory);
  try {
    const counted = await withChannel((channel) =>
      unlessExited(child, count(channel, child.pid, spawnedAt), `the ${values.impl} publisher`),
    );
    const none = { perSecond: 0, worstSecond: 0, bestSecond: 0, firstArrivalMs: NaN, fires: 0, cpuPerFireUs: NaN };
    return counted ? summary(counted) : { ...none, nothingWithinS: START_WAIT_S };
  } finally {
    await stop(child);
  }
}

async function main() {
  if (!CONTESTANTS[values.impl]) throw new Error(`--impl must be one of ${Object.keys(CONTESTANTS).join(', ')}`);
  const directory = await mkdtemp(join(tmpdir(), 'celeriac-bench-beat-steady-'));
  try {
    await withChannel((channel) => declareTaskQueue(channel, QUEUE));
    progress(`beat-steady ${values.impl}: ${COUNT} schedules due every second...`);
    const result = { impl: values.impl, count: COUNT, seconds: SECONDS, ...(await run(directory)) };
    emit(values.json, result, [
      `beat-steady ${values.impl}, ${COUNT.toLocaleString('en')} due every second: ${rate(result.perSecond)} over ${SECONDS} s (worst second ${rate(result.worstSecond)}, best ${rate(result.bestSecond)}), first arrival ${(result.firstArrivalMs / 1000).toFixed(1)} s after start, ${result.cpuPerFireUs.toFixed(0)} µs CPU a fire`,
      `  per second: ${result.perSecondList?.join(' ') ?? '—'}`,
    ]);
  } finally {
    await deleteQueues([QUEUE, beatControlQueue(GROUP).name]);
    await rm(directory, { recursive: true, force: true });
  }
}

await main();
