import { digestAfterPut, editMark, enableRecord, fireRecord, putRecord, putRecords } from './store-records.js';
import type { ScheduleStore, StaticMerge } from './schedule-store.js';
import type { ScheduleDefinition, ScheduleEntry } from '@celeriac/protocol';

export interface StoreOptions {
  /** The clock for createdAt/updatedAt. @default () => new Date() */
  clock?: () => Date;
}

/**
 * Schedules in this process only: for tests, and for a beat whose schedules all come from a file.
 * Hands out its own entries, which are frozen (see store-records.ts), not copies.
 */
export class MemoryScheduleStore implements ScheduleStore {
  readonly #entries = new Map<string, ScheduleEntry>();
  readonly #clock: () => Date;
  #staticDigest: string | null = null;

  constructor(options: StoreOptions = {}) {
    this.#clock = options.clock ?? (() => new Date());
  }

  async list(): Promise<ScheduleEntry[]> {
    return [...this.#entries.values()];
  }

  async get(name: string): Promise<ScheduleEntry | null> {
    const entry = this.#entries.get(name);
    return entry ?? null;
  }

  async put(definition: ScheduleDefinition): Promise<ScheduleEntry> {
    this.#staticDigest = editMark();
    return this.#save(putRecord(this.#entries.get(definition.name), definition, this.#clock()));
  }

  async putMany(definitions: readonly ScheduleDefinition[], merge?: StaticMerge): Promise<ScheduleEntry[]> {
    const entries = putRecords((name) => this.#entries.get(name), definitions, this.#clock());
    for (const entry of entries) this.#save(entry);
    this.#staticDigest = digestAfterPut(this.#staticDigest, merge, entries.length > 0);
    return entries;
  }

  async staticDigest(): Promise<string | null> {
    return this.#staticDigest;
  }

  async remove(name: string): Promise<boolean> {
    const removed = this.#entries.delete(name);
    if (removed) this.#staticDigest = editMark();
    return removed;
  }

  async setEnabled(name: string, enabled: boolean): Promise<ScheduleEntry | null> {
    const entry = this.#entries.get(name);
    if (entry) this.#staticDigest = editMark();
    return entry ? this.#save(enableRecord(entry, enabled, this.#clock())) : null;
  }

  async recordFire(name: string, slot: Date): Promise<boolean> {
    const entry = this.#entries.get(name);
    const fired = entry ? fireRecord(entry, slot, this.#clock()) : null;
    if (!fired) return false;
    if (fired.enabled !== entry?.enabled) this.#staticDigest = editMark(); // a one-off disabled: an edit a merge would undo
    this.#save(fired);
    return true;
  }

  async close(): Promise<void> {}

  #save(entry: ScheduleEntry): ScheduleEntry {
    this.#entries.set(entry.name, entry);
    return entry;
  }
}
