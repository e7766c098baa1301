#!/usr/bin/env node
/**
 * `npm test`: the whole suite from a fresh clone. Installs and builds when needed, makes sure a
 * RabbitMQ answers, makes the PyPI Celery peer's virtual environment, starts a FerretDB
 * (MongoDB-wire server) for the MongoDB cases unless CELERIAC_TEST_MONGODB_URL names a server,
 * then runs every test file with `.mocharc.json`'s options against Debian's Celery 5.2, and the
 * interop files (test/dist/interop-*.test.js) once more against the PyPI Celery: a mocha process
 * per integration file, CELERIAC_TEST_JOBS (default 2) at a time (scripts/lib/mocha-jobs.mjs).
 * FerretDB is stopped at the end.
 *
 * Extra arguments go to every mocha process, e.g. `npm test -- --grep interop`.
 * CELERIAC_TEST_PEERS=debian|pypi|both (default both) chooses the interop runs;
 * CELERIAC_TEST_JOBS=1 runs one file at a time.
 *
 * Plain Node, no imports outside node: it runs before `npm ci`.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { BootstrapError, DEFAULT_BROKER_URL, ROOT, ensureBroker, installAndBuild, step } from './lib/bootstrap.mjs';
import { startFerretdb } from './lib/ferretdb.mjs';
import { longestFirst, mochaOptions, recordDurations, runJobs, testFiles } from './lib/mocha-jobs.mjs';
import { SYSTEM_PYTHON, celeryVersion, ensurePypiCelery, ensureSystemCelery } from './lib/python-peers.mjs';

const BROKER_URL = process.env.CELERIAC_TEST_BROKER_URL ?? DEFAULT_BROKER_URL;
const PEERS = process.env.CELERIAC_TEST_PEERS ?? 'both';
/** mocha processes at once (scripts/lib/mocha-jobs.mjs says why more than one). */
const WIDTH = Number(process.env.CELERIAC_TEST_JOBS ?? 2);
if (!Number.isInteger(WIDTH) || WIDTH < 1) {
  console.error(`CELERIAC_TEST_JOBS must be a whole number of at least 1, not '${process.env.CELERIAC_TEST_JOBS}'`);
  process.exit(1);
}
const UNIT_DIRS = readdirSync(join(ROOT, 'packages')).map((name) => `packages/${name}/dist/__tests__`);

/** A job per integration file, and one for every unit test (they take seconds together). */
function jobsFor(peer, python, { interopOnly }) {
  const env = { CELERIAC_TEST_PYTHON: python };
  const args = [...mochaOptions(ROOT), ...process.argv.slice(2)];
  const files = testFiles(ROOT, 'test/dist').filter((file) => !file.includes('/faults/'));
  const jobs = files
    .filter((file) => !interopOnly || /\/interop-[^/]*$/.test(file))
    .map((file) => ({ key: `${peer} ${file}`, label: `${file}, Celery ${peer}`, files: [file], env, args }));
  if (interopOnly) return jobs;
  const units = UNIT_DIRS.flatMap((dir) => testFiles(ROOT, dir));
  return [{ key: `${peer} unit`, label: `unit tests, Celery ${peer}`, files: units, env, args }, ...jobs];
}

/** Everything against the first peer, then the interop files against the other. */
function plan(peers) {
  const jobs = [];
  if (PEERS !== 'pypi')
    jobs.push(...jobsFor(`${celeryVersion(peers.debian)} (Debian)`, peers.debian, { interopOnly: false }));
  if (PEERS !== 'debian')
    jobs.push(...jobsFor(`${celeryVersion(peers.pypi)} (PyPI)`, peers.pypi, { interopOnly: PEERS === 'both' }));
  return jobs;
}

/** Totals, the slowest jobs, and every failure again: CI shows only the tail of the output. */
function summarise(results) {
  step('summary');
  const total = (field) => results.reduce((sum, result) => sum + result[field], 0);
  console.log(`  ${total('passing')} passing, ${total('pending')} pending, ${total('failing')} failing`);
  const slowest = [...results].sort((a, b) => b.seconds - a.seconds).slice(0, 5);
  console.log(`  slowest: ${slowest.map((result) => `${result.label} ${result.seconds} s`).join('; ')}`);
  for (const result of results.filter((r) => r.code !== 0)) {
    console.log(`\n  FAILED (exit ${result.code}): ${result.label}`);
    console.log(`\n${result.failures}`);
  }
}

let ferret = null;
try {
  installAndBuild();
  await ensureBroker(BROKER_URL);
  const peers = {
    debian: PEERS === 'pypi' ? SYSTEM_PYTHON : ensureSystemCelery(),
    pypi: PEERS === 'debian' ? null : ensurePypiCelery(),
  };
  process.env.CELERIAC_TEST_BROKER_URL = BROKER_URL; // every job inherits these
  if (!process.env.CELERIAC_TEST_MONGODB_URL) {
    step('starting FerretDB (MongoDB wire protocol, SQLite backend) for the MongoDB cases');
    ferret = await startFerretdb();
    console.log(`  FerretDB answers at ${ferret.url}`);
    process.env.CELERIAC_TEST_MONGODB_URL = ferret.url;
    process.env.CELERIAC_TEST_MONGODB_SERVER = 'ferretdb'; // its missing features make cases pending, with the reason
  }
  step(`mocha: ${WIDTH} jobs at a time, a file each`);
  const jobs = plan(peers);
  if (jobs.length === 0) throw new BootstrapError('no test files found (test/dist, packages/*/dist/__tests__)');
  const results = await runJobs(ROOT, longestFirst(ROOT, jobs), WIDTH);
  summarise(results);
  // A run with mocha arguments (a --grep) times a part of each file: not the next run's order.
  if (process.argv.length <= 2) recordDurations(ROOT, results);
  process.exitCode = results.find((result) => result.code !== 0)?.code ?? 0;
} catch (error) {
  console.error(`\ncannot run the tests: ${error instanceof BootstrapError ? error.message : error}`);
  process.exitCode = 1;
} finally {
  await ferret?.stop();
}
