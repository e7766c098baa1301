import type { ScheduleDefinition, ScheduleEntry } from '@celeriac/protocol';

/**
 * A merge of static schedules as putMany records it: `digest` names what was merged; it is
 * recorded only if the store's staticDigest() is still `ifCurrent`, the value read before the
 * merge listed the store. An edit in between (another beat's) then keeps its mark, so no digest
 * ever claims a merge the store does not hold.
 */
export interface StaticMerge {
  digest: string;
  ifCurrent: string | null;
}

/**
 * A schedule as listPlanned hands it out: its name, a lower bound of its first due time
 * (firstDueMs; null: never due, disabled or no slot left) and its entry, read when asked for.
 * `next` may be earlier than the entry's first due time (fires recorded since it was computed),
 * never later. `entry()` throws what reading it throws (a corrupt entry in a file store).
 */
export interface PlannedEntry {
  name: string;
  next: number | null;
  entry(): ScheduleEntry;
}

/**
 * Where schedules and their state live. The embedded file store and the in-memory store (in
 * this package) and the MongoDB store (@celeriac/mongodb) implement it, and one contract suite
 * runs against each of them.
 *
 * Entries a store returns are read-only: the memory store hands out the frozen objects it keeps
 * (copying 100,000 entries per holder costs more memory than the schedules themselves), and
 * entries from put, setEnabled and recordFire may be frozen in any store.
 */
export interface ScheduleStore {
  list(): Promise<ScheduleEntry[]>;
  /**
   * Every schedule, planned without reading each entry, for a beat that builds its heap from
   * `next` and reads an entry when it comes due. Optional: without it a beat lists every entry
   * and computes each one's first due time itself (a file store of 100,000 schedules: about a
   * second of a restart).
   */
  listPlanned?(): Promise<PlannedEntry[]>;
  get(name: string): Promise<ScheduleEntry | null>;
  /** Adds or replaces a definition; an existing schedule keeps its lastSlot and runCount. */
  put(definition: ScheduleDefinition): Promise<ScheduleEntry>;
  /**
   * put for many definitions at once, where a store can do it in fewer round trips than one
   * put each (MongoDB: bulk writes). Optional: callers fall back to put. A store with
   * staticDigest records `merge` (see StaticMerge), even when there is nothing to put.
   * `applied`, if the store calls it (the file store does), receives every schedule as
   * listPlanned would list it once the definitions are applied, before the write that makes
   * them durable: a beat plans and sends its first fires from it while 100,000 schedules are
   * written. Changes made after it (fires recorded) wait for that write; if the write fails,
   * putMany rejects and the listing was never stored.
   */
  putMany?(
    definitions: readonly ScheduleDefinition[],
    merge?: StaticMerge,
    applied?: (listing: PlannedEntry[]) => void,
  ): Promise<ScheduleEntry[]>;
  /**
   * The digest of the static schedules putMany merged last, or a new edit mark (`edit:…`, never
   * a merge's digest) once any other edit than a fire changed the store (put, remove,
   * setEnabled, a putMany without a merge, a one-off disabled by its fire; an edit that changes
   * nothing may mark too); null if neither happened. A beat that finds the digest of its
   * schedule file here skips reading, compiling and merging it: that merge would change
   * nothing. Optional: without it, every start merges.
   */
  staticDigest?(): Promise<string | null>;
  /** Removes a schedule; false if there was none. */
  remove(name: string): Promise<boolean>;
  setEnabled(name: string, enabled: boolean): Promise<ScheduleEntry | null>;
  /**
   * Records that `slot` of `name` was fired: sets lastSlot and increments runCount, but only if
   * `slot` is later than the stored lastSlot. False means another beat recorded it first (or a
   * later one), so the caller must not consider the slot its own. Durable when it resolves.
   */
  recordFire(name: string, slot: Date): Promise<boolean>;
  close(): Promise<void>;
}
