/**
 * Group commit of recordFire for the MongoDB schedule store. A second on which 25,000 schedules
 * fall due asked for 50,000 round trips one by one (claim the slot, advance lastSlot); against
 * FerretDB that took minutes and held every fire of the burst open. Fires that arrive while a
 * batch is written join the next batch, which is written as three bulk operations: insert the
 * claims (unordered; a duplicate key is a slot another beat owns), advance lastSlot of the
 * claimed ones, and disable the fired `once` schedules. The rules are those of a single
 * recordFire: the unique claim decides who owns a slot, lastSlot only advances.
 */
import { MongoBulkWriteError, type AnyBulkWriteOperation, type Collection } from 'mongodb';
import { DUPLICATE_KEY } from './mongo-errors.js';

/**
 * Updates per bulk write. FerretDB 1.24 did not finish bulk writes of 100 updates or more
 * within 90 s on the bench machine (50 took 0.25 s, about 5 ms per update, as one by one).
 */
export const MAX_UPDATE_BATCH = 50;

export interface FireDocument {
  _id: string;
  schedule: string;
  slot: Date;
  firedAt: Date;
}

/** The fields of a schedule document the batch reads and writes. */
export interface FiredFields {
  _id: string;
  lastSlot: string | null;
  runCount: number;
  updatedAt: string;
  enabled: boolean;
  schedule: { kind: string };
}

interface PendingFire {
  name: string;
  slotIso: string;
  slot: Date;
  resolve: (recorded: boolean) => void;
  reject: (error: unknown) => void;
}

export interface FireBatchDeps {
  schedules: Collection<FiredFields>;
  fires: Collection<FireDocument>;
  /** Runs before each batch (connects, creates indexes). */
  ready: () => Promise<void>;
  now: () => string;
  /** After a batch that claimed a slot: the claims' expiry index is due a check. */
  claimed: () => void;
  /** One-offs were disabled by their fire: an edit a merge would undo (ScheduleStore.staticDigest). */
  disabled: () => Promise<void>;
}

/** At most this many fires per bulk operation (a server's message size is bounded). */
const MAX_BATCH = 2000;

export class FireBatch {
  #pending: PendingFire[] = [];
  #writing = false;

  constructor(private readonly deps: FireBatchDeps) {}

  record(name: string, slot: Date): Promise<boolean> {
    return new Promise((resolve, reject) => {
      this.#pending.push({ name, slot, slotIso: slot.toISOString(), resolve, reject });
      // The first fire of a batch waits one turn of the event loop, so a burst fired together joins it.
      if (this.#pending.length === 1 && !this.#writing) setImmediate(() => void this.#drain());
    });
  }

  async #drain(): Promise<void> {
    this.#writing = true;
    while (this.#pending.length > 0) {
      const batch = this.#pending.splice(0, MAX_BATCH);
      await this.#write(batch).then(
        (recorded) => batch.forEach((fire, i) => fire.resolve(recorded[i] ?? false)),
        (error: unknown) => batch.forEach((fire) => fire.reject(error)),
      );
    }
    this.#writing = false;
  }

  async #write(batch: readonly PendingFire[]): Promise<boolean[]> {
    await this.deps.ready();
    const owned = await this.#claim(batch);
    const claimed = batch.filter((_, i) => owned[i]);
    if (claimed.length > 0) this.deps.claimed();
    const advanced = await this.#advance(claimed);
    const lost = claimed.filter((fire) => !advanced.has(fire));
    // Unknown schedule or an older slot: the claim means nothing, so do not keep it.
    if (lost.length > 0) await this.deps.fires.deleteMany({ _id: { $in: lost.map(fireKey) } });
    await this.#disableOnce(claimed.filter((fire) => advanced.has(fire)));
    return batch.map((fire) => advanced.has(fire));
  }

  /** Which fires of `batch` now own their slot: every insert that was not a duplicate key. */
  async #claim(batch: readonly PendingFire[]): Promise<boolean[]> {
    const firedAt = new Date();
    const documents = batch.map((fire) => ({ _id: fireKey(fire), schedule: fire.name, slot: fire.slot, firedAt }));
    const owned = batch.map(() => true);
    try {
      await this.deps.fires.insertMany(documents, { ordered: false });
    } catch (error) {
      if (!(error instanceof MongoBulkWriteError)) throw error;
      for (const failure of [error.writeErrors].flat()) {
        if (failure.code !== DUPLICATE_KEY) throw error;
        owned[failure.index] = false;
      }
    }
    return owned;
  }

  /**
   * lastSlot advances only to a later slot. When every update matched (the usual case) all
   * advanced; otherwise each is read back. Read back, a slot advanced past by another beat in
   * the same instant counts as not advanced: the caller then reloads the schedule, as for a
   * taken slot, and its fire stays claimed and published once.
   */
  async #advance(claimed: readonly PendingFire[]): Promise<Set<PendingFire>> {
    if (claimed.length === 0) return new Set();
    const updatedAt = this.deps.now();
    const operations: AnyBulkWriteOperation<FiredFields>[] = claimed.map((fire) => ({
      updateOne: {
        filter: { _id: fire.name, $or: [{ lastSlot: null }, { lastSlot: { $lt: fire.slotIso } }] },
        update: { $set: { lastSlot: fire.slotIso, updatedAt }, $inc: { runCount: 1 } },
      },
    }));
    let matched = 0;
    for (let start = 0; start < operations.length; start += MAX_UPDATE_BATCH)
      matched += (
        await this.deps.schedules.bulkWrite(operations.slice(start, start + MAX_UPDATE_BATCH), { ordered: false })
      ).matchedCount;
    if (matched === claimed.length) return new Set(claimed);
    const names = claimed.map((fire) => fire.name);
    const stored = await this.deps.schedules.find({ _id: { $in: names } }, { projection: { lastSlot: 1 } }).toArray();
    const lastSlots = new Map(stored.map((document) => [document._id, document.lastSlot]));
    return new Set(claimed.filter((fire) => lastSlots.get(fire.name) === fire.slotIso));
  }

  /** A fired `once` schedule is done: disabled (a crash before this leaves its slot recorded, which plans no fire either). */
  async #disableOnce(advanced: readonly PendingFire[]): Promise<void> {
    if (advanced.length === 0) return;
    const filter = { _id: { $in: advanced.map((fire) => fire.name) }, 'schedule.kind': 'once', enabled: true };
    const { modifiedCount } = await this.deps.schedules.updateMany(filter, { $set: { enabled: false } });
    // After, not before as other edits: knowing whether any is a one-off would cost a read per
    // batch. A crash in between leaves a fired one-off disabled under the digest; a merge would
    // only have enabled it again, with its slot fired, so it plans no fire either way.
    if (modifiedCount > 0) await this.deps.disabled();
  }
}

/** The claim's key: one document per (schedule, slot instant). */
export function fireKey(fire: { name: string; slotIso: string }): string {
  return `${fire.name}|${fire.slotIso}`;
}
