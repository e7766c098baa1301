/**
 * Celery's `celery.map` and `celery.starmap` (xmap, xstarmap): one message whose worker calls a
 * task of its own in-process for each item, `[task(item) for item in it]` or
 * `[task(*item) for item in it]`, and returns the list. The first failure fails the whole map.
 */
import { TaskState, readSignature } from '@celeriac/protocol';
import type { TaskContext } from '../execution/task-context.js';
import { runHandler } from '../execution/run-handler.js';
import type { TaskRegistry } from '../task-registry.js';

export class MapTaskError extends Error {
  override readonly name = 'NotRegistered';
}

/** Runs `celery.map` (spread false) or `celery.starmap` (spread true) against the application's tasks. */
export async function runMap(app: Pick<TaskRegistry, 'get'>, spread: boolean, ctx: TaskContext): Promise<unknown[]> {
  const inner = readSignature(ctx.kwargs.task, 'task');
  const registered = app.get(inner.task);
  if (!registered) throw new MapTaskError(`'${inner.task}' is not registered on this worker`);
  const items = Array.isArray(ctx.kwargs.it) ? (ctx.kwargs.it as unknown[]) : [];
  // The items are the calls' only arguments: the map's own kwargs (task, it) are not theirs.
  const callContext = Object.create(ctx, { kwargs: { value: {} } }) as TaskContext;
  const results: unknown[] = [];
  for (const item of items) {
    const args: unknown[] = spread && Array.isArray(item) ? (item as unknown[]) : [item];
    const outcome = await runHandler(registered, [...inner.args, ...args], callContext);
    if (outcome.state !== TaskState.SUCCESS) throw outcome.error;
    results.push(outcome.result);
  }
  return results;
}
