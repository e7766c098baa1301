/**
 * The static merge as a beat runs it at start: retried while the store cannot be reached
 * (store-retry.ts), and leading may begin before it is durable. A file store hands out its
 * listing once the merge is applied, before writing 100,000 schedules (ScheduleStore.putMany);
 * the first lead plans from that listing, so a first start fires while the file is written. The
 * fires' records wait for the write, as every change after it does.
 *
 * Safe as a crash is: if the beat dies before the write is durable, the next start merges the
 * schedules again, created after the slots already sent (so those are not due again), or, for
 * a slot that is (a one-off, a changed schedule's), sends it with the same task id, as a crash
 * between a publish and its record does. A write that fails after a lead took the listing is
 * not retried: the start fails, its loop stopped, as that crash would end it.
 */
import type { Logger, PlannedEntry } from '@celeriac/core';
import { untilStoreAnswers } from './store-retry.js';

export class StartMerge {
  /** Resolves once the first attempt's listing is out or the merge is durable, whichever comes first. */
  readonly applied: Promise<void>;
  /** Resolves once the merge is durable (or there was nothing to merge). */
  readonly durable: Promise<void>;
  #listing: PlannedEntry[] | null = null;
  #taken = false;

  constructor(
    merge: (applied?: (listing: PlannedEntry[]) => void) => Promise<void>,
    logger: Logger,
    stopped: () => boolean,
  ) {
    let attempts = 0;
    let handOut!: () => void;
    const listed = new Promise<void>((resolve) => (handOut = resolve));
    const onApplied = (listing: PlannedEntry[]) => {
      this.#listing = listing;
      handOut();
    };
    const attempt = async () => {
      try {
        // Only the first attempt lists early: a retried one may run while a lead has listed the
        // store already, so its entries reach the loop as any edit's do (ScheduleEditor).
        await merge(attempts++ === 0 ? onApplied : undefined);
      } catch (error) {
        this.#listing = null; // never written
        throw error;
      }
    };
    this.durable = untilStoreAnswers(attempt, logger, () => stopped() || this.#taken).finally(() => {
      this.#listing = null;
    });
    this.applied = Promise.race([listed, this.durable]);
  }

  /**
   * The listing for a lead while the merge is written, once: a later lead lists the store, which
   * then holds the records of the fires made from it (or waits for them). Once taken, a failed
   * write is not retried: fires were planned from a merge the store never took.
   */
  take(): PlannedEntry[] | null {
    const listing = this.#listing;
    this.#listing = null;
    this.#taken ||= listing !== null;
    return listing;
  }
}
