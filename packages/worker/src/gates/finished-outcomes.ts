/**
 * Deliveries whose channel closed under them here: a handler that blocked the event loop past
 * the heartbeat (the broker drops the connection), or a connection lost mid-task. The broker
 * delivers such a message again. Before this gate, the task then ran a second time, and each loss
 * counted as a poison delivery: a 40 s synchronous handler ran five times and was dead-lettered
 * as MAX_DELIVERIES although it succeeded every time.
 *
 * Now, recognised by task id and retry count, the redelivery of
 * - a task that finished here is answered with its outcome (kept, bounded, for an hour): reported
 *   if the first report did not get through, then acked, without running and before the
 *   delivery-count gate counts it;
 * - a task still running (or reporting) here waits for that run, then is answered the same way,
 *   instead of running beside it;
 * - a task that had not started here (it waited in the prefetch) runs, and its delivery is not
 *   counted: it never ran, so it cannot be what kills workers (`uncounted`).
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
import type { Gate, Verdict } from './gate.js';

const MAX_KEPT = 1000;
const KEEP_MS = 3600_000;

/** A run in progress: who waits for its end (made only when a redelivery does). */
interface Running {
  waiters: Array<() => void> | null;
}

interface Kept {
  outcome: TaskOutcome;
  /** False when the first report failed too (the result connection went with it). */
  reported: boolean;
  at: number;
}

export class FinishedOutcomes implements Gate {
  readonly #kept = new Map<string, Kept>();
  /** Runs in progress here, by key, until their outcome is reported (or kept). */
  readonly #running = new Map<string, Running>();
  /** Keys of deliveries whose channel closed before they started here, with when. */
  readonly #unstarted = new Map<string, number>();
  /** Redeliveries admitted to run without counting a delivery. */
  readonly #uncounted = new WeakSet<Job>();

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

  /** A run starts here; call the returned function once it is settled (acked, or kept). */
  begin(job: Job): () => void {
    const key = keyOf(job);
    const run: Running = { waiters: null };
    this.#running.set(key, run);
    return () => {
      if (this.#running.get(key) === run) this.#running.delete(key);
      for (const wake of run.waiters ?? []) wake();
    };
  }

  /** The delivery's channel closed before its task started here: its redelivery is not a poison delivery. */
  unstarted(job: Job): void {
    this.#unstarted.delete(keyOf(job));
    this.#unstarted.set(keyOf(job), this.clock());
    for (const [key, at] of this.#unstarted) {
      if (this.#unstarted.size <= MAX_KEPT && this.clock() - at <= KEEP_MS) break;
      this.#unstarted.delete(key);
    }
  }

  /** Whether this delivery was admitted as the redelivery of one that never started here (not counted). */
  uncounted(job: Job): boolean {
    return this.#uncounted.has(job);
  }

  admit(job: Job): Verdict | Promise<Verdict> {
    // Almost always: a first delivery, and nothing kept (every delivery passes here, so no key is built for nothing).
    const redelivered = job.delivery.message.fields.redelivered;
    if (!redelivered && this.#kept.size === 0) return 'run';
    return this.#admitKnown(job);
  }

  async #admitKnown(job: Job): Promise<Verdict> {
    if (this.#running.size > 0 && job.delivery.message.fields.redelivered) {
      await this.#afterRun(job);
      // Its own channel closed meanwhile (or it went back to its queue): the next delivery takes the outcome.
      if (job.delivery.orphaned()) return 'settled';
    }
    if (this.#unstarted.size > 0 && job.delivery.message.fields.redelivered && this.#wasUnstarted(job)) {
      this.#uncounted.add(job);
      return 'run';
    }
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

  /** A redelivery of a task still running here waits for that run (then its outcome is kept). */
  async #afterRun(job: Job): Promise<void> {
    const running = this.#running.get(keyOf(job));
    if (!running) return;
    job.logger.log(
      'warn',
      'redelivered while it still runs here (its channel closed under it); waiting for that run instead of starting another',
    );
    await new Promise<void>((wake) => (running.waiters ??= []).push(wake));
  }

  #wasUnstarted(job: Job): boolean {
    const key = keyOf(job);
    const at = this.#unstarted.get(key);
    if (at === undefined) return false;
    this.#unstarted.delete(key);
    if (this.clock() - at > KEEP_MS) return false;
    job.logger.log(
      'info',
      'redelivered after its channel closed while it waited here, before it started: runs, and the delivery is not counted',
    );
    return true;
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
