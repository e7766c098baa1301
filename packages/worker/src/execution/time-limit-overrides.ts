/**
 * Time limits set at run time by Celery's `control time_limit` (task_name, hard, soft): they
 * replace the task's registered limits, as Celery sets the task's attributes. A message's own
 * `timelimit` still wins, as in Celery.
 */
import type { RegisteredTask } from '../task-registry.js';
import type { TimeLimitsMs } from './time-limits.js';

export class TimeLimitOverrides {
  readonly #limits = new Map<string, TimeLimitsMs>();

  set(taskName: string, limits: TimeLimitsMs): void {
    this.#limits.set(taskName, limits);
  }

  /** The limits in force for a task: the overridden ones, else its registered ones. */
  for(task: RegisteredTask): TimeLimitsMs {
    return this.#limits.get(task.name) ?? task.options;
  }
}
