#!/usr/bin/env node
/**
 * `npm run bench`: every benchmark, side by side with its baseline, on this machine and broker in
 * one run; prints the table and rewrites the generated part of BENCHMARKS.md.
 *
 *   npm run bench                        # 5 runs per figure, ~15 minutes, writes BENCHMARKS.md
 *   npm run bench -- --runs 3            # fewer runs
 *   npm run bench -- --quick             # smoke run: 1 run, small counts, ~2 minutes, no write
 *   npm run bench -- --only publish,drain [--write]
 *
 * Each measurement is one benchmark script in a fresh process (`node scripts/bench/<x>.mjs
 * --json`). Within a run the contestants of a suite follow each other (Celeriac, its baselines)
 * in an order that rotates from run to run, so drift on a shared machine hits all of them; ratios
 * are taken within a run. A failed measurement is reported and leaves its run out of the figures.
 * Needs RabbitMQ (CELERIAC_BROKER, default amqp://guest:guest@127.0.0.1:5672//) and, for the
 * Celery baseline, Debian's python3-celery.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import { commandLine, measure } from './lib/child.mjs';
import { describeMachine, load } from './lib/machine.mjs';
import { progress } from './lib/output.mjs';
import { ROOT } from './lib/processes.mjs';
import { generatedSection, targetTally, textTable, writeReport } from './lib/report.mjs';
import { suites } from './lib/suites.mjs';

const { values } = parseArgs({
  options: {
    runs: { type: 'string' },
    quick: { type: 'boolean', default: false },
    only: { type: 'string' },
    write: { type: 'boolean' },
    build: { type: 'boolean', default: true },
  },
  allowNegative: true,
});
const QUICK = values.quick;
const RUNS = Number(values.runs ?? (QUICK ? 1 : 5));
// A smoke run or a partial one would replace the full table with figures that are not comparable.
const WRITE = values.write ?? (!QUICK && !values.only);

function build() {
  progress('building (npx tsc -b)...');
  const result = spawnSync('npx', ['tsc', '-b'], { cwd: ROOT, stdio: 'inherit' });
  if (result.status !== 0) throw new Error('the build failed');
}

/** Rotating the order per run: A B C, B C A, C A B, ... */
function rotated(names, run) {
  return names.map((_, i) => names[(i + run) % names.length]);
}

function describe(name, result) {
  const figure = result.perSecond ?? result.idle?.p99 ?? result.p99 ?? result.confirmed?.p99 ?? result.loaded?.rssMb;
  return `${name}: ${typeof figure === 'number' ? figure.toFixed(1) : 'done'}`;
}

async function runSuite(suite, failures) {
  const names = Object.keys(suite.contestants);
  const results = Object.fromEntries(names.map((name) => [name, []]));
  for (let run = 0; run < suite.runs; run++) {
    for (const name of rotated(names, run)) {
      try {
        results[name][run] = await measure(suite.contestants[name], suite.timeoutMs);
        progress(`  ${suite.id} run ${run + 1}/${suite.runs}, ${describe(name, results[name][run])}`);
      } catch (error) {
        results[name][run] = null;
        failures.push(`${suite.id}, run ${run + 1}, ${name}: ${error.message}`);
        progress(`  ${suite.id} run ${run + 1}/${suite.runs}, ${name} FAILED:\n${error.message}`);
      }
    }
  }
  return results;
}

function commands(list) {
  const quick = QUICK ? ' -- --quick' : '';
  return [
    `npm run bench${quick}    # all of the below, ${RUNS} runs each; then this file is rewritten`,
    ...list.flatMap((suite) => Object.values(suite.contestants).map(commandLine)),
  ];
}

async function main() {
  const started = new Date();
  const clock = performance.now();
  if (values.build) build();
  const machine = await describeMachine();
  const selected = suites({ quick: QUICK, runs: RUNS, cores: machine.cores, celery: machine.celery }).filter(
    (suite) => !values.only || values.only.split(',').includes(suite.id),
  );
  const rows = [];
  const notes = [];
  const failures = [];
  for (const suite of selected) {
    progress(`${suite.title}: ${suite.runs} run(s) of ${Object.keys(suite.contestants).join(', ')}`);
    const results = await runSuite(suite, failures);
    rows.push(...suite.rows(results));
    notes.push(...suite.notes(results).map((note) => `**${suite.title}.** ${note}`));
  }
  const report = {
    rows,
    machine,
    loadAfter: load(),
    commands: commands(selected),
    notes,
    failures,
    started,
    elapsedMs: performance.now() - clock,
    runs: RUNS,
  };
  const { met, total } = targetTally(rows);
  console.log(
    `\n${textTable(rows)}\n\ntargets met: ${met} of ${total}; ${(report.elapsedMs / 60_000).toFixed(1)} minutes; load average before ${machine.loadBefore}, after ${report.loadAfter}`,
  );
  if (WRITE) await writeReport(join(ROOT, 'BENCHMARKS.md'), generatedSection(report));
  if (WRITE) console.log('BENCHMARKS.md rewritten');
  if (failures.length) process.exitCode = 1;
}

await main();
