/**
 * Celery's built-in tasks that a mixed fleet sends to whichever worker serves the queue:
 * `celery.map` and `celery.starmap` (`task.map(items)`, `task.starmap(items)`, `task.chunks()`),
 * `celery.chord_unlock`, which a Python client's chord over a result backend without native
 * joins (MongoDB) sends to its body's queue, and `celery.backend_cleanup`, which Python's beat
 * sends every day. A Celeriac worker runs them as Celery does (the last two with a stored
 * result backend), instead of dead-lettering them as unknown.
 */
import { readSignature } from '@celeriac/protocol';
import type { TaskContext } from '../execution/task-context.js';
import { TaskRegistry } from '../task-registry.js';
import { runMap } from './builtin-map.js';
import type { ChordJoin } from './chord-join.js';

/** Celery's result_chord_retry_interval, in seconds. */
const DEFAULT_UNLOCK_INTERVAL_S = 1;

/**
 * The built-ins, run inline whatever the pool: they need the worker's backend and registry. The
 * chord ones only with a stored backend (`join`); the maps call the application's own tasks.
 */
export function builtinTasks(app: Pick<TaskRegistry, 'get'>, join: ChordJoin | null): TaskRegistry {
  const builtins = new TaskRegistry()
    .register('celery.map', (ctx: TaskContext) => runMap(app, false, ctx))
    .register('celery.starmap', (ctx: TaskContext) => runMap(app, true, ctx));
  if (!join) return builtins;
  const unlock = (_groupId: unknown, callback: unknown, ctx: TaskContext) => chordUnlock(join, callback, ctx);
  return (
    builtins
      .register('celery.chord_unlock', unlock, { ignoreResult: true, maxRetries: null })
      // Results expire through the TTL index on date_done (packages/mongodb): nothing left to sweep.
      .register('celery.backend_cleanup', () => null, { ignoreResult: true })
  );
}

/**
 * Celery's unlock_chord: while a header task is not ready, retry in `interval` seconds (up to
 * `max_retries`); then send the body with the results, or fail it with a ChordError.
 */
async function chordUnlock(join: ChordJoin, callback: unknown, ctx: TaskContext): Promise<null> {
  const body = readSignature(callback, 'callback');
  const { interval, max_retries: maxRetries, result } = ctx.kwargs;
  const header = await join.headerState(resultIds(result));
  if (header.state === 'pending') {
    const seconds = typeof interval === 'number' ? interval : DEFAULT_UNLOCK_INTERVAL_S;
    ctx.retry({ countdownMs: seconds * 1000, maxRetries: typeof maxRetries === 'number' ? maxRetries : null });
  }
  await join.finish(body, header, { id: ctx.id, rootId: ctx.rootId });
  return null;
}

/** `[r.as_tuple() for r in header]`: each `[[id, parent], children]`. */
function resultIds(result: unknown): string[] {
  if (!Array.isArray(result)) throw new TypeError('celery.chord_unlock needs the header results in kwargs.result');
  return result.map((entry) => idOf(entry));
}

function idOf(tuple: unknown): string {
  const head: unknown = Array.isArray(tuple) ? tuple[0] : tuple;
  const id: unknown = Array.isArray(head) ? head[0] : head;
  if (typeof id === 'string') return id;
  throw new TypeError(`celery.chord_unlock: ${JSON.stringify(tuple)} is not a result tuple`);
}
