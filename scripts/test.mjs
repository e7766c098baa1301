#!/usr/bin/env node
/**
 * `npm test`: the whole suite from a fresh clone. Installs and builds when needed, makes sure a
 * RabbitMQ answers, makes the PyPI Celery peer's virtual environment, starts a FerretDB
 * (MongoDB-wire server) for the MongoDB cases unless CELERIAC_TEST_MONGODB_URL names a server,
 * then runs mocha with `.mocharc.json` against Debian's Celery 5.2, and the interop files
 * (`.mocharc.interop.json`: test/dist/interop-*.test.js) once more against the PyPI Celery.
 * FerretDB is stopped at the end.
 *
 * Extra arguments go to both mocha runs, e.g. `npm test -- --grep interop`.
 * CELERIAC_TEST_PEERS=debian|pypi|both (default both) chooses the interop runs.
 *
 * Plain Node, no imports outside node: it runs before `npm ci`.
 */
import { spawn } from 'node:child_process';
import { BootstrapError, DEFAULT_BROKER_URL, ROOT, ensureBroker, installAndBuild, step } from './lib/bootstrap.mjs';
import { startFerretdb } from './lib/ferretdb.mjs';
import { SYSTEM_PYTHON, celeryVersion, ensurePypiCelery, ensureSystemCelery } from './lib/python-peers.mjs';

const BROKER_URL = process.env.CELERIAC_TEST_BROKER_URL ?? DEFAULT_BROKER_URL;
const PEERS = process.env.CELERIAC_TEST_PEERS ?? 'both';
/** The interop files only: a --spec given to mocha adds to .mocharc.json's spec, it does not replace it. */
const INTEROP_CONFIG = '.mocharc.interop.json';

/** Runs mocha, echoing its output; resolves to its exit code and its failure report, if any. */
function mocha(label, env, args) {
  step(`mocha: ${label}`);
  const child = spawn('npx', ['mocha', ...args], {
    cwd: ROOT,
    stdio: ['inherit', 'pipe', 'inherit'],
    env: { ...process.env, ...env },
  });
  let output = '';
  child.stdout.on('data', (chunk) => {
    process.stdout.write(chunk);
    output += chunk;
  });
  return new Promise((resolve) => {
    child.on('close', (code) => resolve({ label, code: code ?? 1, failures: failureReport(output) }));
  });
}

/** Mocha's "N failing" section: printed again at the very end, since a later run buries it. */
function failureReport(output) {
  // Colour codes may come first: mocha colours its output under CI=true even into a pipe.
  const start = output.search(/^(?:\x1b\[[\d;]*m)*\s*\d+ failing\b/m);
  return start < 0 ? '' : output.slice(start).trimEnd();
}

function summarise(results) {
  step('summary');
  for (const { label, code, failures } of results) {
    console.log(`  ${code === 0 ? 'passed' : `FAILED (exit ${code})`}: ${label}`);
    if (code !== 0) console.log(failures ? `\n${failures}\n` : '  (no failing tests reported: see its output above)');
  }
}

/** The runs: everything against the first peer, then the interop files against the other. */
function runs(peers) {
  const all = process.argv.slice(2);
  const plan = [];
  if (PEERS !== 'pypi')
    plan.push({
      label: `all tests, Python peer Celery ${celeryVersion(peers.debian)} (Debian)`,
      python: peers.debian,
      args: all,
    });
  if (PEERS !== 'debian') {
    const onlyInterop = PEERS === 'both' ? ['--config', INTEROP_CONFIG] : [];
    plan.push({
      label: `${PEERS === 'both' ? 'interop tests' : 'all tests'}, Python peer Celery ${celeryVersion(peers.pypi)} (PyPI)`,
      python: peers.pypi,
      args: [...onlyInterop, ...all],
    });
  }
  return plan;
}

let ferret = null;
try {
  installAndBuild();
  await ensureBroker(BROKER_URL);
  const peers = {
    debian: PEERS === 'pypi' ? SYSTEM_PYTHON : ensureSystemCelery(),
    pypi: PEERS === 'debian' ? null : ensurePypiCelery(),
  };
  const env = { CELERIAC_TEST_BROKER_URL: BROKER_URL };
  if (!process.env.CELERIAC_TEST_MONGODB_URL) {
    step('starting FerretDB (MongoDB wire protocol, SQLite backend) for the MongoDB cases');
    ferret = await startFerretdb();
    console.log(`  FerretDB answers at ${ferret.url}`);
    env.CELERIAC_TEST_MONGODB_URL = ferret.url;
    env.CELERIAC_TEST_MONGODB_SERVER = 'ferretdb'; // its missing features make cases pending, with the reason
  }
  const results = [];
  for (const run of runs(peers))
    results.push(await mocha(run.label, { ...env, CELERIAC_TEST_PYTHON: run.python }, run.args));
  summarise(results);
  process.exitCode = results.find((result) => result.code !== 0)?.code ?? 0;
} catch (error) {
  console.error(`\ncannot run the tests: ${error instanceof BootstrapError ? error.message : error}`);
  process.exitCode = 1;
} finally {
  await ferret?.stop();
}
