#!/usr/bin/env node
/**
 * `npm test`: the whole suite from a fresh clone. Installs and builds when needed, makes sure a
 * RabbitMQ answers (the tests talk to a real broker), then runs mocha with `.mocharc.json`.
 * Extra arguments go to mocha, e.g. `npm test -- --grep interop`.
 *
 * Plain Node, no imports outside node: it runs before `npm ci`.
 */
import { spawnSync } from 'node:child_process';
import { BootstrapError, DEFAULT_BROKER_URL, ROOT, ensureBroker, installAndBuild } from './lib/bootstrap.mjs';

const BROKER_URL = process.env.CELERIAC_TEST_BROKER_URL ?? DEFAULT_BROKER_URL;

try {
  installAndBuild();
  await ensureBroker(BROKER_URL);
  const mocha = spawnSync('npx', ['mocha', ...process.argv.slice(2)], { cwd: ROOT, stdio: 'inherit' });
  process.exitCode = mocha.status ?? 1;
} catch (error) {
  console.error(`\ncannot run the tests: ${error instanceof BootstrapError ? error.message : error}`);
  process.exitCode = 1;
}
