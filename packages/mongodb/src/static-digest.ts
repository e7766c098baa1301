/**
 * ScheduleStore.staticDigest for the MongoDB store: one document in `celeriac_schedule_meta`.
 * Against FerretDB a restart's merge of 100,000 unchanged static schedules read every one of
 * them (about 50 s); with the digest a restart reads one document instead.
 *
 * Beats on many hosts write here at once, so nothing is written blindly: an edit marks the
 * digest before it changes a schedule and again after; a merge swaps the value it read before
 * listing the store for a claim of its own, and the claim for its digest once its schedules
 * are written. An edit or a crash anywhere in between leaves a mark, so a digest never claims
 * a merge the store does not hold; the worst case is one merge more.
 */
import type { Collection } from 'mongodb';
import { editMark, type StaticMerge } from '@celeriac/core';
import { isDuplicateKey } from './mongo-errors.js';

export const META_COLLECTION = 'celeriac_schedule_meta';
const STATIC_DIGEST_ID = 'static-digest';

export interface MetaDocument {
  _id: string;
  digest: string | null;
}

export class StaticDigestRecord {
  constructor(private readonly meta: Collection<MetaDocument>) {}

  async read(): Promise<string | null> {
    return (await this.meta.findOne({ _id: STATIC_DIGEST_ID }))?.digest ?? null;
  }

  /** `write` (schedules changed) as an edit: marked before and after. */
  async edit<T>(write: () => Promise<T>): Promise<T> {
    await this.mark();
    const result = await write();
    await this.mark();
    return result;
  }

  /** `write` (a putMany) as the merge `merge` names, or as an edit without one. */
  async merge<T>(merge: StaticMerge | undefined, write: () => Promise<T>): Promise<T> {
    if (!merge) return this.edit(write);
    const claim = editMark();
    const claimed = await this.#swap(merge.ifCurrent, claim);
    const result = await write();
    if (!claimed || !(await this.#swap(claim, merge.digest))) await this.mark();
    return result;
  }

  async mark(): Promise<void> {
    const write = () =>
      this.meta.updateOne({ _id: STATIC_DIGEST_ID }, { $set: { digest: editMark() } }, { upsert: true });
    // Two first upserts race on _id: the loser's retry finds the document and updates it.
    try {
      await write();
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
      await write();
    }
  }

  /** Sets `next` if the digest is still `expected` (null: also when there is no document yet). */
  async #swap(expected: string | null, next: string): Promise<boolean> {
    try {
      const { matchedCount, upsertedCount } = await this.meta.updateOne(
        { _id: STATIC_DIGEST_ID, digest: expected },
        { $set: { digest: next } },
        { upsert: expected === null },
      );
      return matchedCount + upsertedCount > 0;
    } catch (error) {
      if (isDuplicateKey(error)) return false; // the document holds another digest: not ours to replace
      throw error;
    }
  }
}
