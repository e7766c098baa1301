/**
 * The Celeriac app of the benchmarks' worker processes (`celeriac worker --app
 * scripts/bench/apps/bench-tasks.mjs`): a no-op, and an echo for round trips.
 */
import { TaskRegistry } from '@celeriac/worker';

export default new TaskRegistry()
  .register('celeriac.bench.noop', () => undefined)
  .register('celeriac.bench.echo', (value) => value);
