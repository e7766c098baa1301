#!/usr/bin/env node
/**
 * What a restart pays to read the file store (issue 17, item 2): a store file of N schedules of
 * beat-capacity's mix is written once, then in fresh processes (each a restart's cold start) the
 * file is read and parsed as the store does: `parseStoreFile` (the header, then each line's name
 * and next due time), `planned()` (what a beat builds its heap from), and for comparison every
 * entry parsed (`values()`, what a restart paid before the store read entries lazily, and what
 * `list()` still pays). A diagnostic, not a row of BENCHMARKS.md.
 *
 *   npx tsc -b && node scripts/bench/store-parse.mjs [--count 100000] [--runs 3]
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { FileScheduleStore, compileScheduleInput } from '@celeriac/core';
import { parseStoreFile } from '../../packages/core/dist/schedule/store-file.js';
import { mixedSchedules } from './lib/schedule-mix.mjs';

const { values } = parseArgs({
  options: {
    count: { type: 'string', default: '100000' },
    runs: { type: 'string', default: '3' },
    once: { type: 'string' }, // internal: one cold read of this file
  },
});
const ms = (start) => Math.round(performance.now() - start);

/** One cold read in this process: the figures of a restart's parse. */
async function coldRead(path) {
  let start = performance.now();
  const text = await readFile(path);
  const read = ms(start);
  start = performance.now();
  const file = parseStoreFile(path, text);
  const parse = ms(start);
  start = performance.now();
  const planned = file.schedules.planned();
  const plan = ms(start);
  start = performance.now();
  file.schedules.values();
  const all = ms(start);
  const mb = (text.length / 1e6).toFixed(1);
  console.log(
    `  ${mb} MB: read ${read} ms, parseStoreFile ${parse} ms, planned ${plan} ms (${planned.length}); every entry parsed ${all} ms`,
  );
}

if (values.once) {
  await coldRead(values.once);
} else {
  const directory = await mkdtemp(join(tmpdir(), 'celeriac-store-parse-'));
  try {
    const path = join(directory, 'store.json');
    const now = new Date();
    const inputs = mixedSchedules(Number(values.count), { options: { queue: 'store-parse' } });
    await new FileScheduleStore(path).putMany(inputs.map((input) => compileScheduleInput(input, now)));
    console.log(`cold reads of a store of ${values.count} schedules, a fresh process each:`);
    for (let run = 0; run < Number(values.runs); run++)
      spawnSync(process.execPath, [process.argv[1], '--once', path], { stdio: 'inherit' });
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
}
