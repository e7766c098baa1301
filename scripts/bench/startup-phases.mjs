#!/usr/bin/env node
/**
 * Where `celeriac beat --schedule` spends its start-up: the time (after spawn) of each log line of
 * the start, to the first fire, for N schedules of the mix of beat-capacity.mjs in a fresh store
 * (a second start on the same store with --restart). A diagnostic, not a row of BENCHMARKS.md.
 * It stops at the first 'schedule fired' line, which comes once that fire is recorded: after
 * the whole burst due at the start is handed out, so later than the first publish (beat-cli.mjs's
 * probe measures that one).
 *
 *   npx tsc -b && node scripts/bench/startup-phases.mjs [--store file|mongodb] [--count 100000] [--restart] [--runs 1] [--node-options '...']
 *
 * With --runs N (N fresh stores, each started once, and again with --restart) it prints each
 * line's median over the runs; --node-options passes flags to the beat's node (a GC setting).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startFerretdb } from '../lib/ferretdb.mjs';
import { beatControlQueue } from '@celeriac/amqp';
import { deleteQueues, queueName } from './lib/broker.mjs';
import { CLI, start, stop } from './lib/processes.mjs';
import { mixedSchedules } from './lib/schedule-mix.mjs';
import { median } from './lib/stats.mjs';

const { values } = parseArgs({
  options: {
    store: { type: 'string', default: 'file' },
    count: { type: 'string', default: '100000' },
    restart: { type: 'boolean', default: false },
    runs: { type: 'string', default: '1' },
    'node-options': { type: 'string', default: '' },
  },
});
const QUEUE = queueName('startup');
const GROUP = `su-${process.pid}`;

/** Spawns the beat and prints each log line's message with its time after the spawn, until the first fire line. */
async function once(schedulePath, storeUrl, times) {
  const spawnedAt = Date.now();
  const seen = new Set();
  const flags = values['node-options'].split(' ').filter(Boolean);
  const child = start(
    process.execPath,
    [...flags, CLI, 'beat', '--schedule', schedulePath, '--store', storeUrl, '--beat-group', GROUP],
    {
      env: { CELERIAC_LOG_FORMAT: 'json' },
    },
  );
  // Stopped by hand (Ctrl-C), the beat must not stay behind publishing into the queue.
  const interrupted = () => child.kill('SIGKILL');
  process.once('SIGINT', interrupted).once('SIGTERM', interrupted);
  const ended = await new Promise((resolve) => {
    let buffer = '';
    child.stderr.on('data', (chunk) => {
      buffer += chunk.toString();
      const lines = buffer.split('\n');
      buffer = lines.pop() ?? '';
      for (const line of lines) {
        const message = /"message":"([^"]*)"/.exec(line)?.[1] ?? line.slice(0, 80);
        if (message === 'schedule fired') return resolve('first "schedule fired" line (the fire recorded)');
        // A line's first time in this run only: a line logged twice would count twice.
        if (!seen.has(message)) times.set(message, [...(times.get(message) ?? []), Date.now() - spawnedAt]);
        seen.add(message);
        if (RUNS === 1) console.log(`${String(Date.now() - spawnedAt).padStart(7)} ms  ${message}`);
      }
    });
    child.once('exit', (code) => resolve(`beat exited (${code}) before any fire`));
  });
  times.set(ended, [...(times.get(ended) ?? []), Date.now() - spawnedAt]);
  if (RUNS === 1) console.log(`${String(Date.now() - spawnedAt).padStart(7)} ms  ${ended}`);
  await stop(child);
  process.off('SIGINT', interrupted).off('SIGTERM', interrupted);
}

const RUNS = Number(values.runs);
if (!Number.isInteger(RUNS) || RUNS < 1) throw new Error(`--runs must be a whole number from 1, got ${values.runs}`);

/** Each line's median time over the runs, in the order the lines came. */
function printMedians(label, times) {
  console.log(`${label} (median of ${RUNS} runs; each run's figures after it)`);
  for (const [message, list] of times) {
    console.log(`${String(Math.round(median(list))).padStart(7)} ms  ${message}  [${list.join(', ')}]`);
  }
}

const directory = await mkdtemp(join(tmpdir(), 'celeriac-startup-'));
const ferret = values.store === 'mongodb' ? await startFerretdb() : null;
try {
  const schedulePath = join(directory, 'schedules.json');
  await writeFile(
    schedulePath,
    JSON.stringify(mixedSchedules(Number(values.count), { json: true, options: { queue: QUEUE } })),
  );
  const [first, again] = [new Map(), new Map()];
  for (let run = 0; run < RUNS; run++) {
    const storeUrl = ferret
      ? `${ferret.url.replace(/\/?$/, '/')}su${process.pid}r${run}`
      : `file:${join(directory, `store-${run}.json`)}`;
    await once(schedulePath, storeUrl, first);
    if (!values.restart) continue;
    if (RUNS === 1) console.log('-- restart on the same store');
    await once(schedulePath, storeUrl, again);
  }
  if (RUNS > 1) printMedians('first start', first);
  if (RUNS > 1 && values.restart) printMedians('restart', again);
} finally {
  await ferret?.stop();
  await deleteQueues([QUEUE, beatControlQueue(GROUP).name]).catch(() => undefined);
  await rm(directory, { recursive: true, force: true });
}
