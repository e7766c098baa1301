/**
 * The Celeriac app of the benchmarks' worker processes (`celeriac worker --app
 * scripts/bench/apps/bench-tasks.mjs`): a no-op, an echo for round trips, and pure computation
 * for the CPU benchmark (the same loop as scripts/bench/python/bench_tasks.py's).
 */
import { TaskRegistry } from '@celeriac/worker';

/** Integer arithmetic, `iterations` times: synchronous, CPU-bound, nothing else. */
function compute(iterations) {
  let x = 0;
  for (let i = 0; i < iterations; i++) x = (x * 31 + i) % 1000003;
  return x;
}

export default new TaskRegistry()
  .register('celeriac.bench.noop', () => undefined)
  .register('celeriac.bench.echo', (value) => value)
  .register('celeriac.bench.compute', (iterations) => compute(iterations));
