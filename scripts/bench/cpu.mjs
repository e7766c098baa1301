#!/usr/bin/env node
/**
 * CPU-bound tasks: N tasks of pure computation (200 tasks of 200 ms by default), sent at once to
 * one worker process with two task slots, and awaited; the wall time until the last result is in
 * hand, and the worker's CPU time over it.
 *
 *   npx tsc -b && node scripts/bench/cpu.mjs --impl inline|threads|processes|celery [--count 200]
 *       [--task-ms 200] [--concurrency 2] [--iterations N] [--json]
 *
 * inline|threads|processes: `celeriac worker --pool <impl> -c 2` (prefetch ×2, rpc:// results).
 * celery: the PyPI Celery of `.venv-celery` (`npm run setup`), `celery worker -P prefork -c 2`
 * (prefetch ×4, its default), acks_late, rpc:// results (scripts/bench/python/bench_tasks.py).
 *
 * The task is `celeriac.bench.compute(iterations)`: a loop of integer arithmetic, the same in both
 * languages. Each language's iteration count is calibrated first, in its own process on this
 * machine (the fastest of five tries, in CPU time), so that one task computes for --task-ms of
 * CPU: a task is "200 ms of this runtime's computation", whatever the runtime. The clock starts when the worker
 * consumes the queue (its start-up is not counted) and all tasks are sent at once (one Client);
 * it stops when every result has arrived. Ideal on two free cores: count × task-ms / 2.
 * Env: CELERIAC_BROKER.
 */
import { spawnSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import { Client } from '@celeriac/client';
import { declareTaskQueue, deleteQueues, queueName, waitForConsumer, withChannel } from './lib/broker.mjs';
import { groupCpuMs } from './lib/cpu.mjs';
import { emit, progress } from './lib/output.mjs';
import { celeriacWorker, celeryWorker, stop, unlessExited } from './lib/processes.mjs';
import { VENV_PYTHON } from '../lib/python-peers.mjs';

const { values } = parseArgs({
  options: {
    impl: { type: 'string', default: 'threads' },
    count: { type: 'string', default: '200' },
    'task-ms': { type: 'string', default: '200' },
    concurrency: { type: 'string', default: '2' },
    iterations: { type: 'string' },
    json: { type: 'boolean', default: false },
  },
});
const COUNT = Number(values.count);
const TASK_MS = Number(values['task-ms']);
const CONCURRENCY = Number(values.concurrency);
const COMPUTE = 'celeriac.bench.compute';
const RESULT_TIMEOUT_MS = 600_000;
const IMPLS = ['inline', 'threads', 'processes', 'celery'];

/**
 * The loop both apps run (scripts/bench/apps/bench-tasks.mjs, scripts/bench/python/bench_tasks.py),
 * timed in CPU time, not wall time, so that other work on a shared machine does not shrink it.
 */
const NODE_CALIBRATION = `
const compute = (n) => { let x = 0; for (let i = 0; i < n; i++) x = (x * 31 + i) % 1000003; return x; };
const cpuMs = () => { const { user, system } = process.cpuUsage(); return (user + system) / 1000; };
const n = 2_000_000; compute(n);
let best = Infinity;
for (let t = 0; t < 5; t++) { const s = cpuMs(); compute(n); best = Math.min(best, cpuMs() - s); }
console.log(n / best);`;
const PYTHON_CALIBRATION = `
import time
def compute(n):
    x = 0
    for i in range(n):
        x = (x * 31 + i) % 1000003
    return x
def timed(n):
    start = time.process_time()
    compute(n)
    return time.process_time() - start
n = 200000
print(n / (min(timed(n) for _ in range(5)) * 1000))`;

/** Iterations per task: what this runtime computes in TASK_MS of one core's CPU time (the best of five). */
function calibrate(impl) {
  if (values.iterations) return Number(values.iterations);
  const [command, args] =
    impl === 'celery' ? [VENV_PYTHON, ['-c', PYTHON_CALIBRATION]] : [process.execPath, ['-e', NODE_CALIBRATION]];
  const result = spawnSync(command, args, { encoding: 'utf8', timeout: 60_000 });
  const perMs = Number(result.stdout.trim());
  if (result.status !== 0 || !Number.isFinite(perMs))
    throw new Error(`calibration failed (${command}): ${result.stderr || result.stdout}`);
  return Math.round(perMs * TASK_MS);
}

function worker(queue) {
  if (values.impl === 'celery')
    return celeryWorker(queue, {
      concurrency: CONCURRENCY,
      python: VENV_PYTHON,
      env: { CELERIAC_BENCH_RESULTS: 'rpc://' },
    });
  return celeriacWorker(queue, { concurrency: CONCURRENCY, pool: values.impl, resultBackend: 'rpc://' });
}

async function run(queue, iterations) {
  const child = worker(queue);
  const client = new Client({ defaultQueue: queue, connectionName: 'celeriac-bench-cpu' });
  try {
    await unlessExited(child, waitForConsumer(queue, 60_000), `the ${values.impl} worker`);
    const cpuBefore = groupCpuMs(child.pid);
    const started = performance.now();
    const sent = await Promise.all(Array.from({ length: COUNT }, () => client.sendTask(COMPUTE, [iterations])));
    const all = Promise.all(sent.map((result) => result.get({ timeoutMs: RESULT_TIMEOUT_MS })));
    await unlessExited(child, all, `the ${values.impl} worker`);
    const elapsedMs = performance.now() - started;
    return { elapsedMs, cpuMs: groupCpuMs(child.pid) - cpuBefore };
  } finally {
    await client.close();
    await stop(child);
  }
}

async function main() {
  if (!IMPLS.includes(values.impl)) throw new Error(`--impl must be one of ${IMPLS.join(', ')}`);
  const iterations = calibrate(values.impl);
  const queue = queueName('cpu');
  try {
    await withChannel((channel) => declareTaskQueue(channel, queue));
    progress(
      `cpu ${values.impl}: ${COUNT} tasks of ${TASK_MS} ms (${iterations} iterations each), -c ${CONCURRENCY}...`,
    );
    const { elapsedMs, cpuMs } = await run(queue, iterations);
    const ideal = (COUNT * TASK_MS) / CONCURRENCY;
    const result = {
      impl: values.impl,
      count: COUNT,
      taskMs: TASK_MS,
      iterations,
      concurrency: CONCURRENCY,
      elapsedMs,
      elapsedS: elapsedMs / 1000,
      perSecond: (COUNT * 1000) / elapsedMs,
      cpuPerTaskMs: cpuMs / COUNT,
      /** The wall time over the ideal (count × task-ms / concurrency): 1.0 is perfect on free cores. */
      overIdeal: elapsedMs / ideal,
    };
    emit(values.json, result, [
      `cpu ${values.impl}: ${COUNT} × ${TASK_MS} ms in ${(elapsedMs / 1000).toFixed(2)} s (ideal ${(ideal / 1000).toFixed(1)} s, ×${result.overIdeal.toFixed(2)}), worker CPU ${result.cpuPerTaskMs.toFixed(0)} ms a task`,
    ]);
  } finally {
    await deleteQueues([queue]);
  }
}

await main();
