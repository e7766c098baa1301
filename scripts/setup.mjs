#!/usr/bin/env node
/**
 * `npm run setup`: what the tests, the demo and the benchmarks need beyond npm and RabbitMQ, made
 * once and found again later, without root: the PyPI Celery peer's virtual environment
 * (.venv-celery) and the FerretDB binary (built from the Go module proxy into ~/.cache/celeriac).
 * `npm test` does the same on its own; .ci/run calls this first so each step shows in the log.
 *
 * Plain Node, no imports outside node: it runs before `npm ci`.
 */
import { BootstrapError } from './lib/bootstrap.mjs';
import { FERRETDB_VERSION, ensureFerretdbBinary } from './lib/ferretdb.mjs';
import { celeryVersion, ensurePypiCelery, ensureSystemCelery } from './lib/python-peers.mjs';

try {
  const debian = ensureSystemCelery();
  console.log(`Celery ${celeryVersion(debian)} (Debian) at ${debian}`);
  const pypi = ensurePypiCelery();
  console.log(`Celery ${celeryVersion(pypi)} (PyPI) at ${pypi}`);
  console.log(`FerretDB ${FERRETDB_VERSION} at ${await ensureFerretdbBinary()}`);
} catch (error) {
  console.error(`setup failed: ${error instanceof BootstrapError ? error.message : error}`);
  process.exitCode = 1;
}
