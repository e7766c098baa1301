import type { Job } from '../job.js';
import { wasRedelivered } from '../gates/delivery-count.js';
import { retry } from '../retry/retry-decision.js';
import { runHandler } from './run-handler.js';
import type { TaskContext } from './task-context.js';
import type { TaskExecutor } from './task-executor.js';
import type { TaskOutcome } from './task-outcome.js';

/** A handler call whose synchronous part takes this long held heartbeats and acks up: reported. */
export const BLOCKED_LOOP_MS = 1000;

/**
 * The default pool: async handlers on the worker's own event loop. The synchronous part of each
 * handler call is timed (the loop can do nothing else meanwhile), so a handler that blocks it is
 * named by `onBlocked`, not left for the broker to notice as a dead connection.
 */
export class InlineExecutor implements TaskExecutor {
  constructor(
    private readonly hostname: string,
    private readonly onBlocked: (job: Job, blockedMs: number) => void = () => undefined,
  ) {}

  execute(job: Job, signal: AbortSignal): Promise<TaskOutcome> {
    const started = performance.now();
    const outcome = runHandler(job.registered, job.task.args, taskContext(job, signal, this.hostname));
    const blockedMs = performance.now() - started;
    if (blockedMs >= BLOCKED_LOOP_MS) this.onBlocked(job, Math.round(blockedMs));
    return outcome;
  }
}

/** What the handler sees of its run on the worker's own thread (the threads pool sends the data part). */
export function taskContext(job: Job, signal: AbortSignal, hostname: string): TaskContext {
  const { id, name, retries, kwargs, headers, rootId, parentId, eta, expires } = job.task;
  const delivery = { queue: job.delivery.queue, redelivered: wasRedelivered(job.delivery.message) };
  const target = { id, name, retries, policy: job.registered.options };
  return {
    id,
    name,
    retries,
    kwargs,
    headers,
    rootId,
    parentId,
    eta,
    expires,
    delivery,
    hostname,
    signal,
    logger: job.logger,
    retry: (options) => retry(target, options),
  };
}
