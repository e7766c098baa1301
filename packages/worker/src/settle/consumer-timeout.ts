/**
 * RabbitMQ's consumer_timeout (30 min by default): when a delivery stays unacknowledged longer,
 * the broker closes the channel it came on, and every other unacknowledged task on that channel
 * (running here, or waiting in the prefetch) goes back to its queue with it. Tasks may run
 * longer than that (reports, slow systems), and a task waiting in the prefetch behind long ones
 * may wait longer.
 *
 * So every held delivery is handed over at four fifths of the timeout (from its arrival):
 * - a task still waiting (in the gates, for a slot) goes back to the tail of its queue: a
 *   confirmed copy with the same delivery count, then the ack (DeliveryCountGate.handBack);
 * - a running task (acksLate) moves to a lease (@celeriac/amqp's LeaseQueue): a confirmed copy
 *   in a queue of its own, which returns it to the task's queue unless renewed, then the ack.
 *   The worker renews the lease while the task runs; the task's own ack releases it (the copy
 *   goes), a requeue returns the copy to its queue at once. A worker that dies stops renewing:
 *   within the lease the copy is back in the task's queue, counted as a lost delivery, and runs
 *   elsewhere. Nothing is lost and no channel is closed under other tasks.
 *
 * The job's delivery is wrapped so that every path that settles it (the report and ack, a
 * retry's republish, a rejection, a hand-back at shutdown) goes to the lease once there is one.
 */
import { errorMeta, type Logger } from '@celeriac/core';
import type { HandBack } from '../gates/delivery-count-gate.js';
import type { Job } from '../job.js';
import { HeldDelivery, type Held } from './held-delivery.js';
import type { OpenLease } from './leases.js';

/** A delivery is handed over at this fraction of the consumer timeout after it arrived. */
export const HANDOVER_AT = 0.8;
/** The longest lease: how long after a worker dies its leased task waits to run elsewhere. */
const MAX_LEASE_MS = 60_000;
/**
 * The shortest: the copy waits in a queue, not as a delivery, so the broker's timeout does not
 * bound it; a lease of half a short timeout (1.5 s of 3 s) lapsed under a loaded CI machine's
 * stalls while its task still ran.
 */
const MIN_LEASE_MS = 10_000;
/** Renewals per lease, so that one or two late ones do not end it. */
const RENEWALS_PER_LEASE = 3;
/** The held deliveries are looked at this often (a timer per delivery costs a no-op task more). */
const MAX_SWEEP_MS = 1000;

export interface ConsumerTimeoutOptions {
  /** The broker's consumer timeout. */
  timeoutMs: number;
  openLease: OpenLease;
  /** Returns a task not started here to its queue, uncounted (DeliveryCountGate.handBack). */
  handBack: (job: Job, how: HandBack) => Promise<void>;
  logger: Logger;
  /** The lease's length; @default half the timeout, within 10 s to 60 s. */
  leaseMs?: number;
}

export class ConsumerTimeoutGuard {
  readonly #held = new Map<Job, Held>();
  /** Held deliveries not handed over yet, oldest first (a Map keeps insertion order). */
  readonly #due = new Map<Held, true>();
  /** Leases being renewed, until their task is settled. */
  readonly #leased = new Set<Held>();
  readonly #handoverMs: number;
  readonly #leaseMs: number;
  readonly #sweepMs: number;
  #sweeper: NodeJS.Timeout | null = null;
  /** Made once: each held delivery calls it, instead of closures of its own. */
  readonly #settleHeld = (held: Held, how: 'ack' | 'requeue'): void => this.#settle(held, how);

  constructor(private readonly options: ConsumerTimeoutOptions) {
    this.#handoverMs = options.timeoutMs * HANDOVER_AT;
    this.#leaseMs = options.leaseMs ?? Math.min(Math.max(options.timeoutMs / 2, MIN_LEASE_MS), MAX_LEASE_MS);
    // Late by at most a sweep: well inside the fifth of the timeout left after the handover point.
    this.#sweepMs = Math.min(MAX_SWEEP_MS, options.timeoutMs / 20);
  }

  /** The job, with a delivery that survives the consumer timeout; its clock starts now. */
  hold(job: Job): Job {
    const held: Held = {
      job,
      inner: job.delivery,
      arrived: performance.now(),
      running: false,
      settled: false,
      released: false,
      renewal: null,
      leasing: null,
      lease: null,
      lost: false,
      renewing: false,
    };
    const wrapped: Job = { ...job, delivery: new HeldDelivery(held, this.#settleHeld) };
    held.job = wrapped;
    this.#held.set(wrapped, held);
    this.#due.set(held, true);
    this.#sweeper ??= setInterval(() => this.#sweep(), this.#sweepMs).unref();
    return wrapped;
  }

  /** Its handler starts: from now on a handover is a lease. */
  started(job: Job): void {
    const held = this.#held.get(job);
    if (held) held.running = true;
  }

  /** Went back to its queue while it waited: it must not start here. */
  released(job: Job): boolean {
    return this.#held.get(job)?.released ?? false;
  }

  /** Done with the job (its processing ended): a lease still open stays until its ack or requeue. */
  forget(job: Job): void {
    const held = this.#held.get(job);
    if (!held) return;
    this.#held.delete(job);
    this.#due.delete(held);
  }

  /** The worker stops: no more handovers or renewals; an open lease's copy returns by itself. */
  stop(): void {
    if (this.#sweeper) clearInterval(this.#sweeper);
    this.#sweeper = null;
    for (const job of [...this.#held.keys()]) this.forget(job);
    for (const held of this.#leased) if (held.renewal) clearInterval(held.renewal);
    this.#leased.clear();
  }

  #settle(held: Held, how: 'ack' | 'requeue'): void {
    if (held.settled) {
      // settleOnce beneath says what a second settlement of a delivery means (a lost run, or nothing).
      if (held.lease) return;
      return how === 'ack' ? held.inner.ack() : held.inner.requeue();
    }
    held.settled = true;
    this.#due.delete(held);
    if (held.renewal) clearInterval(held.renewal);
    held.renewal = null;
    this.#leased.delete(held);
    if (held.leasing) return void held.leasing.then(() => this.#settleLeased(held, how));
    this.#settleLeased(held, how);
  }

  #settleLeased(held: Held, how: 'ack' | 'requeue'): void {
    const { lease } = held;
    if (!lease || held.lost) return how === 'ack' ? held.inner.ack() : held.inner.requeue();
    const settling = how === 'ack' ? lease.release() : lease.returnNow();
    settling.catch((error: unknown) =>
      this.options.logger.log(
        'error',
        `could not ${how === 'ack' ? 'release' : 'return'} the lease ${lease.name}: its copy goes back to the task's queue when the lease ends, and the task may run again`,
        errorMeta(error),
      ),
    );
  }

  /** Hands over every held delivery that reached the handover point (the oldest come first). */
  #sweep(): void {
    const now = performance.now();
    for (const held of this.#due.keys()) {
      if (now - held.arrived < this.#handoverMs) return;
      this.#due.delete(held);
      this.#handOver(held.job, held);
    }
  }

  #handOver(job: Job, held: Held): void {
    if (held.settled) return;
    const seconds = Math.round(this.options.timeoutMs / 1000);
    if (!held.running) return void this.#handBack(job, held, seconds);
    held.leasing = this.#lease(job, held, seconds).finally(() => (held.leasing = null));
  }

  /** A waiting task goes back to its queue; released at once, so that it cannot start meanwhile. */
  async #handBack(job: Job, held: Held, seconds: number): Promise<void> {
    held.released = true;
    const why = `it waited here for ${HANDOVER_AT * 100}% of the broker's consumer timeout (${seconds} s)`;
    await this.options
      .handBack(job, { started: false, why })
      .catch((error: unknown) => job.logger.log('error', 'could not hand the task back', errorMeta(error)));
    if (held.settled) return;
    // No copy went out (the publish failed): it stays here, as it would have without the handover.
    held.released = false;
    job.logger.log('warn', 'the task could not go back to its queue; it waits here');
  }

  async #lease(job: Job, held: Held, seconds: number): Promise<void> {
    try {
      held.lease = await this.options.openLease(job, this.#leaseMs);
    } catch (error) {
      job.logger.log(
        'error',
        `could not move the running task to a lease before the broker's consumer timeout (${seconds} s); the broker will close the channel, and its tasks go back to their queues (grant the worker's user configure, write and read on celeriac\\.lease\\..*, or raise consumer_timeout)`,
        errorMeta(error),
      );
      return;
    }
    // The copy is confirmed: the delivery can go.
    held.inner.ack();
    job.logger.log(
      'info',
      `still running at ${HANDOVER_AT * 100}% of the broker's consumer timeout (${seconds} s): moved to a lease`,
      {
        lease: held.lease.name,
        leaseMs: this.#leaseMs,
      },
    );
    if (held.settled) return;
    held.renewal = setInterval(() => void this.#renew(job, held), this.#leaseMs / RENEWALS_PER_LEASE);
    held.renewal.unref();
    this.#leased.add(held);
  }

  async #renew(job: Job, held: Held): Promise<void> {
    const lease = held.lease;
    if (!lease || held.settled || held.lost || held.renewing) return;
    held.renewing = true;
    try {
      if (await lease.renew()) return;
      held.lost = true;
      if (held.renewal) clearInterval(held.renewal);
      this.#leased.delete(held);
      job.logger.log(
        'error',
        `the lease ${lease.name} ended before it was renewed: the task is back in its queue and may run again`,
      );
    } catch (error) {
      job.logger.log('warn', `could not renew the lease ${lease.name}; trying again`, errorMeta(error));
    } finally {
      held.renewing = false;
    }
  }
}
