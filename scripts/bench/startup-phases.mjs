#!/usr/bin/env node
/**
 * Where `celeriac beat --schedule` spends its start-up: the time (after spawn) of each log line of
 * the start, to the first fire, for N schedules of the mix of beat-capacity.mjs in a fresh store
 * (a second start on the same store with --restart). A diagnostic, not a row of BENCHMARKS.md.
 * It stops at the first 'schedule fired' line, which comes once that fire is recorded: after
 * the whole burst due at the start is handed out, so later than the first publish (beat-cli.mjs's
 * probe measures that one).
 *
 *   npx tsc -b && node scripts/bench/startup-phases.mjs [--store file|mongodb] [--count 100000] [--restart]
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startFerretdb } from '../lib/ferretdb.mjs';
import { deleteQueues, queueName } from './lib/broker.mjs';
import { CLI, start, stop } from './lib/processes.mjs';
import { mixedSchedules } from './lib/schedule-mix.mjs';

const { values } = parseArgs({
  options: {
    store: { type: 'string', default: 'file' },
    count: { type: 'string', default: '100000' },
    restart: { type: 'boolean', default: false },
  },
});
const QUEUE = queueName('startup');

/** Spawns the beat and prints each log line's message with its time after the spawn, until the first fire line. */
async function once(schedulePath, storeUrl) {
  const spawnedAt = Date.now();
  const child = start(
    process.execPath,
    [CLI, 'beat', '--schedule', schedulePath, '--store', storeUrl, '--beat-group', `su-${process.pid}`],
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
        console.log(`${String(Date.now() - spawnedAt).padStart(7)} ms  ${message}`);
      }
    });
    child.once('exit', (code) => resolve(`beat exited (${code}) before any fire`));
  });
  console.log(`${String(Date.now() - spawnedAt).padStart(7)} ms  ${ended}`);
  await stop(child);
  process.off('SIGINT', interrupted).off('SIGTERM', interrupted);
}

const directory = await mkdtemp(join(tmpdir(), 'celeriac-startup-'));
const ferret = values.store === 'mongodb' ? await startFerretdb() : null;
try {
  const schedulePath = join(directory, 'schedules.json');
  await writeFile(
    schedulePath,
    JSON.stringify(mixedSchedules(Number(values.count), { json: true, options: { queue: QUEUE } })),
  );
  const storeUrl = ferret
    ? `${ferret.url.replace(/\/?$/, '/')}su${process.pid}`
    : `file:${join(directory, 'store.json')}`;
  await once(schedulePath, storeUrl);
  if (values.restart) {
    console.log('-- restart on the same store');
    await once(schedulePath, storeUrl);
  }
} finally {
  await ferret?.stop();
  await deleteQueues([QUEUE]).catch(() => undefined);
  await rm(directory, { recursive: true, force: true });
}
