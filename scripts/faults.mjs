#!/usr/bin/env node
/**
 * `npm run test:faults`: the fault suite (test/faults). Builds when needed, then runs mocha on
 * the compiled cases with a private RabbitMQ node of their own (test/faults/support/global-broker),
 * so stopping that broker disturbs nothing else on the machine. Afterwards the counts of the run
 * are copied into RELIABILITY.md. Extra arguments go to mocha, e.g. `-- --grep SIGKILL`.
 *
 * Needs rabbitmq-server installed (it is started as the rabbitmq user on port
 * CELERIAC_FAULTS_PORT, default 5673); the machine's own broker is not used.
 */
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { BootstrapError, ROOT, installAndBuild } from './lib/bootstrap.mjs';
import { LAST_RUN, updateReliabilityCounts } from './lib/reliability-counts.mjs';

const MOCHA_ARGS = [
  '--no-config',
  '--exit',
  '--timeout',
  '300000',
  '--require',
  'test/dist/faults/support/global-broker.js',
  'test/dist/faults/**/*.fault.js',
];

try {
  installAndBuild();
  // A whole-suite run starts the counts afresh; a --grep run adds to the last one.
  if (process.argv.length <= 2) rmSync(LAST_RUN, { force: true });
  const mocha = spawnSync('npx', ['mocha', ...MOCHA_ARGS, ...process.argv.slice(2)], { cwd: ROOT, stdio: 'inherit' });
  process.exitCode = mocha.status ?? 1;
  if (mocha.status === 0) updateReliabilityCounts();
} catch (error) {
  console.error(`\ncannot run the fault suite: ${error instanceof BootstrapError ? error.message : error}`);
  process.exitCode = 1;
}
