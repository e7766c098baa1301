/**
 * The tasks a worker holds right now, for `inspect active|reserved|scheduled|query_task` and the
 * `total` of `inspect stats`: Celery's `worker.state` (reserved_requests, active_requests,
 * total_count). The pipeline reports each job's stage; nothing here decides anything.
 */
import { requestInfo, type HeldState, type HeldTask, type RequestInfo } from '@celeriac/protocol';
import type { Job } from '../job.js';

/** Where a held job is: received and waiting (gates, slot), waiting in memory for its eta, running. */
export type Stage = 'reserved' | 'scheduled' | 'active';

/** What the pipeline tells: the stages of a job, and when the worker lets go of it. */
export interface JobTracker {
  reserve(job: Job): void;
  schedule(job: Job): void;
  start(job: Job): void;
  forget(job: Job): void;
}

interface Held {
  stage: Stage;
  startedAtMs: number | null;
}

export class TaskRequests implements JobTracker {
  /** Keyed by job, not id: a redelivered duplicate may be held twice. */
  readonly #held = new Map<Job, Held>();
  readonly #totals = new Map<string, number>();

  constructor(private readonly nodeName: string) {}

  reserve(job: Job): void {
    this.#held.set(job, { stage: 'reserved', startedAtMs: null });
  }

  schedule(job: Job): void {
    this.#held.set(job, { stage: 'scheduled', startedAtMs: null });
  }

  /** As Celery's task_accepted: the run counts in `total` when it starts. */
  start(job: Job): void {
    this.#held.set(job, { stage: 'active', startedAtMs: Date.now() });
    this.#totals.set(job.task.name, (this.#totals.get(job.task.name) ?? 0) + 1);
  }

  forget(job: Job): void {
    this.#held.delete(job);
  }

  /** Runs started per task name since the worker started. */
  totals(): Record<string, number> {
    return Object.fromEntries(this.#totals);
  }

  /** The jobs at one stage, oldest first, as their request info. */
  list(stage: Stage, safe = false): Array<{ job: Job; info: RequestInfo }> {
    return [...this.#held]
      .filter(([, held]) => held.stage === stage)
      .map(([job, held]) => ({ job, info: requestInfo(this.#describe(job, held), safe) }));
  }

  /**
   * `query_task`: the held jobs with these ids. One waiting for its eta is left out, as a Celery
   * 5.6 worker leaves out its timer's tasks (checked live).
   */
  query(ids: readonly string[]): Record<string, [HeldState, RequestInfo]> {
    const wanted = new Set(ids);
    const found: Record<string, [HeldState, RequestInfo]> = {};
    for (const [job, held] of this.#held) {
      if (!wanted.has(job.task.id) || held.stage === 'scheduled') continue;
      found[job.task.id] = [held.stage, requestInfo(this.#describe(job, held))];
    }
    return found;
  }

  #describe(job: Job, held: Held): HeldTask {
    const { task, delivery, registered } = job;
    const { fields, properties } = delivery.message;
    const running = held.stage === 'active';
    return {
      id: task.id,
      name: task.name,
      args: task.args,
      kwargs: task.kwargs,
      hostname: this.nodeName,
      startedAtMs: held.startedAtMs,
      // An early-acked task (acksLate false) is acked just before it starts.
      acknowledged: running && !registered.options.acksLate,
      exchange: fields.exchange,
      routingKey: fields.routingKey,
      priority: typeof properties.priority === 'number' ? properties.priority : null,
      redelivered: fields.redelivered,
      // Inline and thread pools run in this process.
      workerPid: running ? process.pid : null,
    };
  }
}
