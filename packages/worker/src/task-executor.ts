import type { Job } from './job.js';
import { retry } from './retry.js';
import type { TaskContext } from './task-context.js';
import { runHandler, type TaskOutcome } from './task-outcome.js';
import { wasRedelivered } from './delivery-count-gate.js';

/**
 * Runs a job's handler and says how it ended. `signal` is the handler's `ctx.signal` (the worker
 * gives up, a soft time limit, a revoke with terminate). `kill`, when given, fires when the work
 * must stop now (hard time limit, terminate, shutdown): a pool that can stop it does; see the
 * contract in time-limits.ts. Without it, `signal` is both.
 */
export interface TaskExecutor {
  execute(job: Job, signal: AbortSignal, kill?: AbortSignal): Promise<TaskOutcome>;
}

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

export function taskContext(job: Job, signal: AbortSignal, hostname: string): TaskContext {
  const { id, name, retries, kwargs, headers, rootId, parentId, eta, expires } = job.task;
  const delivery = { queue: job.delivery.queue, redelivered: wasRedelivered(job.delivery.message) };
  const target = { id, name, retries, policy: job.registered.options };
  return { id, name, retries, kwargs, headers, rootId, parentId, eta, expires, delivery, hostname, signal, logger: job.logger, retry: (options) => retry(target, options) };
}
