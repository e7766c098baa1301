/**
 * How old documents go: a TTL index where the server has one. FerretDB 1.x and some hosted
 * MongoDB-compatible services refuse `expireAfterSeconds` ("not implemented"); there this
 * process deletes expired documents itself, in bounded batches, at most once a minute, after
 * saying so once. A network error is not a refusal: the index is tried again on the next write.
 */
import type { Collection, Document, Filter } from 'mongodb';
import { errorMeta, type Logger } from '@celeriac/core';
import { isServerAnswer } from './mongo-errors.js';

/** Documents deleted per round trip, and round trips per sweep: a backlog drains over minutes, never in one huge delete. */
export const SWEEP_BATCH = 1000;
export const SWEEP_MAX_BATCHES = 10;
export const SWEEP_INTERVAL_MS = 60_000;

export interface ExpiryOptions<T extends Document> {
  collection: Collection<T>;
  /** The date field the TTL index is on. */
  field: string;
  afterSeconds: number;
  /** Creates the TTL index (and deals with an older one of ours). */
  createIndex: () => Promise<void>;
  /** What expires, for the log line: "results", "fire records". */
  what: string;
  logger: Logger;
  clock?: () => number;
}

export class Expiry<T extends Document> {
  #indexed: Promise<void> | null = null;
  #sweeping = false;
  #lastSweep = Number.NEGATIVE_INFINITY;

  constructor(private readonly options: ExpiryOptions<T>) {}

  /** True once the server refused the TTL index and this process deletes expired documents. */
  get sweeping(): boolean {
    return this.#sweeping;
  }

  /** Once per process: the TTL index, or the switch to sweeping when the server refuses it. */
  ensure(): Promise<void> {
    this.#indexed ??= this.options.createIndex().catch((error: unknown) => this.#refused(error));
    return this.#indexed;
  }

  /** After a write: starts a sweep in the background when sweeping and one is due. Never throws. */
  touch(): void {
    const now = this.#now();
    if (!this.#sweeping || now - this.#lastSweep < SWEEP_INTERVAL_MS) return;
    this.#lastSweep = now;
    this.#sweep().catch((error: unknown) =>
      this.options.logger.log(
        'warn',
        `could not delete expired ${this.options.what}; trying again in a minute`,
        errorMeta(error),
      ),
    );
  }

  #refused(error: unknown): void {
    const { what, field, logger } = this.options;
    if (!isServerAnswer(error)) {
      this.#indexed = null; // the network may come back: try the index again on the next write
      logger.log(
        'warn',
        `could not create the TTL index on ${field}; trying again on the next write`,
        errorMeta(error),
      );
      return;
    }
    this.#sweeping = true;
    logger.log(
      'warn',
      `the server refused a TTL index on ${field}; this process deletes expired ${what} itself, at most once a minute`,
      errorMeta(error),
    );
  }

  /** Oldest first would need an index scan; any expired ones will do, a batch at a time. */
  async #sweep(): Promise<number> {
    const { collection, field, afterSeconds } = this.options;
    const filter = { [field]: { $lt: new Date(this.#now() - afterSeconds * 1000) } } as Filter<T>;
    let deleted = 0;
    for (let batch = 0; batch < SWEEP_MAX_BATCHES; batch++) {
      const ids = (await collection.find(filter, { projection: { _id: 1 }, limit: SWEEP_BATCH }).toArray()).map(
        (document) => document._id,
      );
      if (ids.length === 0) break;
      deleted += (await collection.deleteMany({ _id: { $in: ids } } as Filter<T>)).deletedCount;
      if (ids.length < SWEEP_BATCH) break;
    }
    return deleted;
  }

  #now(): number {
    return (this.options.clock ?? Date.now)();
  }
}
