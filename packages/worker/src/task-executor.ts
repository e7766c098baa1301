import type { Job } from './job.js';
import type { TaskContext } from './task-context.js';
import { runHandler, type TaskOutcome } from './task-outcome.js';

/** Runs a job's handler and says how it ended. `signal` fires when the worker gives up on it. */
export interface TaskExecutor {
  execute(job: Job, signal: AbortSignal): Promise<TaskOutcome>;
}

/** The default pool: async handlers on the worker's own event loop. */
export class InlineExecutor implements TaskExecutor {
  constructor(private readonly hostname: string) {}

  execute(job: Job, signal: AbortSignal): Promise<TaskOutcome> {
    return runHandler(job.registered, job.task.args, taskContext(job, signal, this.hostname));
  }
}

export function taskContext(job: Job, signal: AbortSignal, hostname: string): TaskContext {
  const { id, name, retries, kwargs, headers, rootId, parentId, eta, expires } = job.task;
  const delivery = { queue: job.delivery.queue, redelivered: job.delivery.message.fields.redelivered };
  return { id, name, retries, kwargs, headers, rootId, parentId, eta, expires, delivery, hostname, signal, logger: job.logger };
}
