/**
 * Tasks that finished here while their message's channel closed under them: a handler that
 * blocked the event loop past the heartbeat (the broker drops the connection), or a connection
 * lost mid-task. The broker delivers such a message again. Before this gate, the task then ran a
 * second time, and each loss counted as a poison delivery: a 40 s synchronous handler ran five
 * times and was dead-lettered as MAX_DELIVERIES although it succeeded every time.
 *
 * Now the outcome is kept (bounded, for an hour) and the redelivery, recognised by task id and
 * retry count, is answered with it: reported if the first report did not get through, then
 * acked, without running and before the delivery-count gate counts it.
 *
 * Only this process remembers. A redelivery that reaches another worker runs there (with a
 * storing backend, DuplicateGate stops a SUCCESS from running twice). A RETRY is not kept: its
 * copy may already be in the lanes, so the redelivered original runs again as before.
 */
import { TaskState } from '@celeriac/protocol';
import { errorMeta } from '@celeriac/core';
import type { Job } from '../job.js';
import type { TaskOutcome } from '../execution/task-outcome.js';
import { requeueLater } from '../settle/requeue-later.js';
import type { TaskReporter } from '../settle/task-reporter.js';
import type { Gate } from './gate.js';

const MAX_KEPT = 1000;
const KEEP_MS = 3600_000;

interface Kept {
  outcome: TaskOutcome;
  /** False when the first report failed too (the result connection went with it). */
  reported: boolean;
  at: number;
}

export class FinishedOutcomes implements Gate {
  readonly #kept = new Map<string, Kept>();

  constructor(
    private readonly reporter: Pick<TaskReporter, 'storeOutcome'>,
    private readonly clock: () => number = Date.now,
    /** A chord's header task counts itself once its state is stored; false when that failed (requeued). */
    private readonly joinChord: (job: Job) => Promise<boolean> = () => Promise.resolve(true),
  ) {}

  /** Keeps the outcome of a task whose message could not be acked; false for one not worth keeping (RETRY). */
  remember(job: Job, outcome: TaskOutcome, reported: boolean): boolean {
    if (outcome.state === TaskState.RETRY) return false;
    this.#kept.delete(keyOf(job));
    this.#kept.set(keyOf(job), { outcome, reported, at: this.clock() });
    this.#trim();
    return true;
  }

  async admit(job: Job): Promise<'run' | 'settled'> {
    const kept = this.#take(job);
    if (!kept) return 'run';
    job.logger.log(
      'warn',
      'redelivered after it finished here (its channel closed before the ack); answered with that outcome, not run again',
      { state: kept.outcome.state, reported: kept.reported },
    );
    if (!kept.reported && !(await this.#report(job, kept))) return 'settled';
    if (job.task.embed.chord && kept.outcome.state !== TaskState.RETRY && !(await this.joinChord(job)))
      return 'settled';
    job.delivery.ack();
    return 'settled';
  }

  async #report(job: Job, kept: Kept): Promise<boolean> {
    const { outcome } = kept;
    try {
      await this.reporter.storeOutcome(job.task, outcome);
      return true;
    } catch (error) {
      job.logger.log(
        'error',
        'could not report the outcome of a finished task; its message goes back to the queue',
        errorMeta(error),
      );
      this.#kept.set(keyOf(job), kept); // still finished: the next delivery tries the report again
      requeueLater(job.delivery);
      return false;
    }
  }

  #take(job: Job): Kept | undefined {
    // Almost always empty: every delivery passes here, so no key is built for nothing.
    if (this.#kept.size === 0) return undefined;
    const key = keyOf(job);
    const kept = this.#kept.get(key);
    this.#kept.delete(key);
    return kept && this.clock() - kept.at <= KEEP_MS ? kept : undefined;
  }

  /** Oldest first: a Map iterates in insertion order. */
  #trim(): void {
    for (const [key, kept] of this.#kept) {
      if (this.#kept.size <= MAX_KEPT && this.clock() - kept.at <= KEEP_MS) return;
      this.#kept.delete(key);
    }
  }
}

/** A retry of the task is a new message with the same id: the retry count tells them apart. */
function keyOf(job: Job): string {
  return `${job.task.id}#${job.task.retries}`;
}
