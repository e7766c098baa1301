#!/usr/bin/env node
/**
 * `npm run bench`: every benchmark, side by side with its baseline, on this machine and broker in
 * one run; prints the table and rewrites the generated part of BENCHMARKS.md.
 *
 *   npm run bench                        # 5 runs per figure, ~15 minutes, writes BENCHMARKS.md
 *   npm run bench -- --runs 3            # fewer runs
 *   npm run bench -- --quick             # smoke run: 1 run, small counts, ~2 minutes, no write
 *   npm run bench -- --only publish,drain [--write]
 *   npm run bench -- --only queue-types --write   # quorum beside classic, one node and a 3-node cluster
 *   npm run bench -- --only growth --write        # growth with N, concurrency, prefetch, body size; charts
 *   npm run bench -- --only cpu --write           # CPU-bound tasks across the pools, beside Celery prefork -c 2
 *   npm run bench -- --only beat-steady --write   # beat, 10,000 due every second, beside a Client and Celery beat
 *   npm run bench -- --only results-mongodb --write  # results to FerretDB, beside Celery's mongodb backend
 *   npm run bench -- --only drain-processes --write  # celeriac worker --processes 2 beside one process
 *
 * Each measurement is one benchmark script in a fresh process (`node scripts/bench/<x>.mjs
 * --json`). Within a run the contestants of a suite follow each other (Celeriac, its baselines)
 * in an order that rotates from run to run, so drift on a shared machine hits all of them; ratios
 * are taken within a run. A failed measurement is reported and leaves its run out of the figures.
 * Needs RabbitMQ (CELERIAC_BROKER, default amqp://guest:guest@127.0.0.1:5672//) and, for the
 * Celery baseline, Debian's python3-celery. A suite with a target (the queue-type suites) runs on
 * brokers of its own, set up before its first run and removed after its last: private vhosts on
 * the local node (rabbitmqctl), or a three-node cluster (scripts/lib/rabbit-cluster.mjs).
 *
 * BENCHMARKS.md has one generated section per `section` of the suites ('main', 'queue-types');
 * a section is rewritten only when every suite of it ran (--only may name suites or sections). A
 * suite may also give charts of its figures (SVG, drawn by lib/svg-chart.mjs), written to
 * docs/bench/ with its section.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import { progress } from './lib/output.mjs';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

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

/** Before the imports below: they load the packages' builds, which a fresh clone does not have yet. */
if (values.build) build();
const { commandLine, measure } = await import('./lib/child.mjs');
const { writeCharts } = await import('./lib/charts.mjs');
const { describeMachine, load } = await import('./lib/machine.mjs');
const { SECTIONS, generatedSection, targetTally, textTable, writeReport } = await import('./lib/report.mjs');
const { suites } = await import('./lib/suites.mjs');

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
  let target = null;
  try {
    if (suite.target) progress(`  ${suite.id}: setting up its brokers...`);
    target = suite.target ? await suite.target() : null;
  } catch (error) {
    failures.push(`${suite.id}, set-up: ${error.message}`);
    progress(`  ${suite.id} set-up FAILED:\n${error.message}`);
    return results;
  }
  try {
    await runContestants(suite, names, results, target, failures);
  } finally {
    await target?.close();
  }
  return results;
}

async function runContestants(suite, names, results, target, failures) {
  for (let run = 0; run < suite.runs; run++) {
    for (const name of rotated(names, run)) {
      const spec = suite.contestants[name];
      try {
        results[name][run] = await measure(spec, spec.timeoutMs ?? suite.timeoutMs, target?.env(spec.queueType) ?? {});
        progress(`  ${suite.id} run ${run + 1}/${suite.runs}, ${describe(name, results[name][run])}`);
      } catch (error) {
        results[name][run] = null;
        failures.push(`${suite.id}, run ${run + 1}, ${name}: ${error.message}`);
        progress(`  ${suite.id} run ${run + 1}/${suite.runs}, ${name} FAILED:\n${error.message}`);
      }
    }
  }
}

function commands(list) {
  const flags = [...(QUICK ? ['--quick'] : []), ...(values.only ? ['--only', values.only, '--write'] : [])];
  return [
    `npm run bench${flags.length ? ` -- ${flags.join(' ')}` : ''}    # all of the below, ${RUNS} runs each; then this file is rewritten`,
    ...list.flatMap((suite) => Object.values(suite.contestants).map(commandLine)),
  ];
}

async function main() {
  const started = new Date();
  const clock = performance.now();
  const machine = await describeMachine();
  const all = suites({ quick: QUICK, runs: RUNS, cores: machine.cores, celery: machine.celery });
  const only = values.only?.split(',');
  const selected = all.filter((suite) => !only || only.includes(suite.id) || only.includes(suite.section ?? 'main'));
  const sections = new Map();
  const failures = [];
  for (const suite of selected) {
    progress(`${suite.title}: ${suite.runs} run(s) of ${Object.keys(suite.contestants).join(', ')}`);
    const results = await runSuite(suite, failures);
    const section = sections.get(suite.section ?? 'main') ?? { suites: [], rows: [], notes: [], charts: [] };
    section.suites.push(suite);
    section.rows.push(...suite.rows(results));
    section.charts.push(...(suite.charts?.(results) ?? []));
    section.notes.push(...suite.notes(results).map((note) => `**${suite.title}.** ${note}`));
    sections.set(suite.section ?? 'main', section);
  }
  const elapsedMs = performance.now() - clock;
  const loadAfter = load();
  const rows = [...sections.values()].flatMap((section) => section.rows);
  const { met, total } = targetTally(rows);
  console.log(
    `\n${textTable(rows)}\n\ntargets met: ${met} of ${total}; ${(elapsedMs / 60_000).toFixed(1)} minutes; load average before ${machine.loadBefore}, after ${loadAfter}`,
  );
  for (const [name, section] of sections) {
    const complete = all
      .filter((suite) => (suite.section ?? 'main') === name)
      .every((suite) => selected.includes(suite));
    if (!WRITE || !complete) continue;
    const report = {
      ...section,
      machine,
      loadAfter,
      commands: commands(section.suites),
      failures: failures.filter((failure) => section.suites.some((suite) => failure.startsWith(`${suite.id},`))),
      started,
      elapsedMs,
      runs: RUNS,
      quick: QUICK,
    };
    report.chartLines = await writeCharts(ROOT, section.charts, report);
    await writeReport(join(ROOT, 'BENCHMARKS.md'), generatedSection(report, SECTIONS[name]), SECTIONS[name]);
    console.log(`BENCHMARKS.md rewritten (${name})`);
  }
  if (failures.length) process.exitCode = 1;
}

await main();
