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
 * between a publish and its record does. A write that fails after the listing went out is not
 * retried: the start fails, its loop stopped, as that crash would end it.
 */
import type { Logger, PlannedEntry } from '@celeriac/core';
import { untilStoreAnswers } from './store-retry.js';

export class StartMerge {
  /** The store's listing while the merge is applied but not yet durable; null before and after. */
  listing: PlannedEntry[] | null = null;
  /** Resolves once the listing is out or the merge is durable, whichever comes first. */
  readonly applied: Promise<void>;
  /** Resolves once the merge is durable (or there was nothing to merge). */
  readonly durable: Promise<void>;

  constructor(
    merge: (applied: (listing: PlannedEntry[]) => void) => Promise<void>,
    logger: Logger,
    stopped: () => boolean,
  ) {
    let listedOut = false;
    let out!: () => void;
    const listed = new Promise<void>((resolve) => (out = resolve));
    const first = (listing: PlannedEntry[]) => {
      if (listedOut) return; // a retried attempt: the first one's failure ended the start
      listedOut = true;
      this.listing = listing;
      out();
    };
    this.durable = untilStoreAnswers(
      () => merge(first),
      logger,
      () => stopped() || listedOut,
    ).finally(() => {
      this.listing = null;
    });
    this.applied = Promise.race([listed, this.durable]);
  }
}
