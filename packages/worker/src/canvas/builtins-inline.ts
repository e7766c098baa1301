import { InlineExecutor } from '../execution/inline-executor.js';
import type { TaskExecutor } from '../execution/task-executor.js';
import type { TaskOutcome } from '../execution/task-outcome.js';
import type { Job } from '../job.js';
import type { TaskRegistry } from '../task-registry.js';

/**
 * Runs Celery's built-in tasks on the event loop and everything else in the pool: a threads
 * pool loads the application's module, which does not know the built-ins, and they only wait on
 * the backend and the broker.
 */
export class BuiltinsInline implements TaskExecutor {
  readonly #inline: InlineExecutor;

  constructor(
    private readonly pool: TaskExecutor,
    private readonly builtins: Pick<TaskRegistry, 'get'>,
    hostname: string,
  ) {
    this.#inline = new InlineExecutor(hostname);
  }

  execute(job: Job, signal?: AbortSignal, kill?: AbortSignal): Promise<TaskOutcome> {
    if (this.builtins.get(job.task.name) === job.registered) return this.#inline.execute(job, signal);
    return this.pool.execute(job, signal, kill);
  }
}
