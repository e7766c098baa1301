import type { Delivery } from '@celeriac/amqp';
import type { Job } from '../job.js';
import type { Lease } from './leases.js';

/** A delivery the consumer-timeout guard holds (settle/consumer-timeout.ts). */
export interface Held {
  job: Job;
  inner: Delivery;
  /** When it arrived (performance.now()): the consumer timeout runs from there. */
  arrived: number;
  running: boolean;
  /** Acked or requeued: nothing more to do. */
  settled: boolean;
  /** Went back to its queue before it started: it must not start here. */
  released: boolean;
  renewal: NodeJS.Timeout | null;
  leasing: Promise<void> | null;
  lease: Lease | null;
  /** The lease ended without renewal: its copy is back in the queue. */
  lost: boolean;
  renewing: boolean;
}

/**
 * The held job's delivery: every path that settles it goes through the guard, to the lease once
 * there is one. A class, not an object of closures: the worker makes one a task.
 */
export class HeldDelivery implements Delivery {
  readonly message: Delivery['message'];
  readonly queue: string;

  // Private fields: the held record points back to the job, whose JSON would then be circular.
  readonly #held: Held;
  readonly #settle: (held: Held, how: 'ack' | 'requeue') => void;

  constructor(held: Held, settle: (held: Held, how: 'ack' | 'requeue') => void) {
    this.message = held.inner.message;
    this.queue = held.inner.queue;
    this.#held = held;
    this.#settle = settle;
  }

  ack(): void {
    this.#settle(this.#held, 'ack');
  }

  requeue(): void {
    this.#settle(this.#held, 'requeue');
  }

  /** Handed back (its copy is in the queue), or a lease lost: it must not start or settle here. */
  orphaned(): boolean {
    const held = this.#held;
    return held.released || held.lost || (held.lease === null && held.inner.orphaned());
  }
}
