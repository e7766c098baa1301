#!/usr/bin/env node
/**
 * Results to MongoDB (issue 17, item 4): how fast one worker drains N no-op tasks while storing
 * every result in a MongoDB-wire server (FerretDB), as Celery's mongodb backend stores them
 * (a `celery_taskmeta` document per task).
 *
 *   npx tsc -b && node scripts/bench/results-mongodb.mjs --impl celeriac|celery|celery-pypi
 *       [--count 5000] [--concurrency 200] [--prefetch-multiplier 4] [--celery-concurrency <cores>]
 *       [--profile DIR] [--json]
 *
 * celeriac: `celeriac worker --pool inline --result-backend mongodb://…/<db>`. celery: Debian's
 * Celery 5.2 (`python3 -m celery worker -P prefork`, scripts/bench/python/bench_tasks.py with
 * result_backend mongodb://…/<db>, pymongo); celery-pypi: the same with the PyPI Celery of
 * .venv-celery. Each run writes to a database of its own, dropped afterwards.
 *
 * The queue is filled first (the bytes a Client sends), then the worker is started while this
 * process counts the documents of celery_taskmeta every --poll ms (estimatedDocumentCount). The
 * clock starts at the first poll that sees one and stops at the first that sees N; the rate is
 * the documents stored in between over that time. Afterwards every one of the N documents must be
 * a SUCCESS, or the run fails. Also reported: the worker's CPU per task (its process group) and,
 * when the server is a FerretDB on this host, its CPU per result. --profile DIR writes a CPU
 * profile of the Celeriac worker (node --cpu-prof).
 * Env: CELERIAC_BROKER; CELERIAC_BENCH_MONGODB, the server (mongodb://host:port) to use, or a
 * FerretDB is started for this run (scripts/lib/ferretdb.mjs).
 */
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import { MongoClient } from 'mongodb';
import { startFerretdb } from '../lib/ferretdb.mjs';
import { VENV_PYTHON } from '../lib/python-peers.mjs';
import { deleteQueues, prefill, queueName, sleep } from './lib/broker.mjs';
import { findProcess, groupCpuMs, processCpuMs } from './lib/cpu.mjs';
import { noopMessages } from './lib/messages.mjs';
import { emit, progress, rate } from './lib/output.mjs';
import { celeriacWorker, celeryWorker, stop, unlessExited } from './lib/processes.mjs';

const { values } = parseArgs({
  options: {
    impl: { type: 'string', default: 'celeriac' },
    count: { type: 'string', default: '5000' },
    concurrency: { type: 'string', default: '200' },
    'prefetch-multiplier': { type: 'string', default: '4' },
    'celery-concurrency': { type: 'string', default: String(cpus().length) },
    poll: { type: 'string', default: '50' },
    profile: { type: 'string' },
    json: { type: 'boolean', default: false },
  },
});
const COUNT = Number(values.count);
const POLL_MS = Number(values.poll);
const CELERY_C = Number(values['celery-concurrency']);
const TIMEOUT_MS = 300_000;
const COLLECTION = 'celery_taskmeta';

const CONTESTANTS = {
  celeriac: (queue, url) =>
    celeriacWorker(queue, {
      concurrency: Number(values.concurrency),
      prefetchMultiplier: Number(values['prefetch-multiplier']),
      resultBackend: url,
      profileDir: values.profile,
    }),
  celery: (queue, url) => celeryWorker(queue, { concurrency: CELERY_C, env: { CELERIAC_BENCH_RESULTS: url } }),
  'celery-pypi': (queue, url) =>
    celeryWorker(queue, { concurrency: CELERY_C, python: VENV_PYTHON, env: { CELERIAC_BENCH_RESULTS: url } }),
};

/** The server of the suite (CELERIAC_BENCH_MONGODB), or a FerretDB of this run. */
async function openServer() {
  const given = process.env.CELERIAC_BENCH_MONGODB;
  if (given) return { url: given, close: async () => {} };
  const ferret = await startFerretdb();
  return { url: ferret.url, close: ferret.stop };
}

/** The FerretDB process serving `url` when it runs on this host (its CPU is reported), or null. */
function serverPid(url) {
  const { port } = new URL(url);
  return findProcess((line) => line.includes('ferretdb') && line.includes(`--listen-addr=127.0.0.1:${port} `));
}

/** Counts stored results until there are COUNT: the window between the first and the last. */
async function watch(collection, pgid, server) {
  let first = null;
  const cpu = () => ({ worker: groupCpuMs(pgid), server: processCpuMs(server) });
  const deadline = performance.now() + TIMEOUT_MS;
  while (performance.now() < deadline) {
    const stored = await collection.estimatedDocumentCount();
    const at = performance.now();
    if (first === null && stored > 0) first = { at, stored, cpu: cpu() };
    if (stored >= COUNT && first) {
      const { worker, server: serverCpu } = cpu();
      const elapsedMs = at - first.at;
      return {
        elapsedMs,
        stored: stored - first.stored,
        cpuMs: worker - first.cpu.worker,
        serverCpuMs: serverCpu - first.cpu.server,
      };
    }
    await sleep(POLL_MS);
  }
  throw new Error(`${COUNT} results were not stored within ${TIMEOUT_MS / 1000} s`);
}

async function measure(server, queue, database) {
  const mongo = new MongoClient(server.url);
  try {
    const collection = mongo.db(database).collection(COLLECTION);
    const child = CONTESTANTS[values.impl](queue, `${server.url.replace(/\/?$/, '/')}${database}`);
    try {
      const watched = watch(collection, child.pid, serverPid(server.url));
      const result = await unlessExited(child, watched, `the ${values.impl} worker`);
      const succeeded = await collection.countDocuments({ status: 'SUCCESS' });
      if (succeeded !== COUNT) throw new Error(`${succeeded} of ${COUNT} stored results are SUCCESS`);
      return result;
    } finally {
      await stop(child);
      await mongo
        .db(database)
        .dropDatabase()
        .catch(() => undefined);
    }
  } finally {
    await mongo.close();
  }
}

async function main() {
  if (!CONTESTANTS[values.impl]) throw new Error(`--impl must be one of ${Object.keys(CONTESTANTS).join(', ')}`);
  const queue = queueName('results-mongodb');
  const server = await openServer();
  try {
    progress(`results-mongodb ${values.impl}: filling ${queue} with ${COUNT} tasks...`);
    await prefill(queue, noopMessages(COUNT));
    const { elapsedMs, stored, cpuMs, serverCpuMs } = await measure(server, queue, `bench_results_${process.pid}`);
    const perSecond = (stored * 1000) / elapsedMs;
    const result = { impl: values.impl, count: COUNT, measured: stored, elapsedMs, perSecond };
    Object.assign(result, { cpuPerTaskUs: (cpuMs * 1000) / stored, serverCpuPerTaskUs: (serverCpuMs * 1000) / stored });
    emit(values.json, result, [
      `results-mongodb ${values.impl}: ${stored} of ${COUNT} results stored in ${elapsedMs.toFixed(0)} ms = ${rate(perSecond)}, worker CPU ${result.cpuPerTaskUs.toFixed(0)} µs a task, server CPU ${result.serverCpuPerTaskUs.toFixed(0)} µs a result`,
    ]);
  } finally {
    await deleteQueues([queue]);
    await server.close();
  }
}

await main();
