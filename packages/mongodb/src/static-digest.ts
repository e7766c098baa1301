/**
 * ScheduleStore.staticDigest for the MongoDB store: one document in `celeriac_schedule_meta`.
 * Against FerretDB a restart's merge of 100,000 unchanged static schedules read every one of
 * them (about 50 s); with the digest a restart reads one document instead.
 *
 * An edit clears the digest before it changes a schedule, and a merge writes it after its
 * schedules: a crash in between leaves no digest (the next start merges, which is harmless),
 * never a digest that claims a merge the store does not hold.
 */
import type { Collection } from 'mongodb';

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

  async write(digest: string | null): Promise<void> {
    await this.meta.updateOne({ _id: STATIC_DIGEST_ID }, { $set: { digest } }, { upsert: true });
  }

  /** Before any edit but a fire: the store is about to differ from the merge the digest names. */
  async clear(): Promise<void> {
    await this.meta.updateOne({ _id: STATIC_DIGEST_ID, digest: { $ne: null } }, { $set: { digest: null } });
  }
}
