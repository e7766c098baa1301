import { enableRecord, fireRecord, putRecord, putRecords } from './store-records.js';
import type { ScheduleStore } from './schedule-store.js';
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
    this.#staticDigest = null;
    return this.#save(putRecord(this.#entries.get(definition.name), definition, this.#clock()));
  }

  async putMany(definitions: readonly ScheduleDefinition[], staticDigest?: string): Promise<ScheduleEntry[]> {
    const entries = putRecords((name) => this.#entries.get(name), definitions, this.#clock());
    for (const entry of entries) this.#save(entry);
    this.#staticDigest = staticDigest ?? null;
    return entries;
  }

  async staticDigest(): Promise<string | null> {
    return this.#staticDigest;
  }

  async remove(name: string): Promise<boolean> {
    const removed = this.#entries.delete(name);
    if (removed) this.#staticDigest = null;
    return removed;
  }

  async setEnabled(name: string, enabled: boolean): Promise<ScheduleEntry | null> {
    const entry = this.#entries.get(name);
    if (entry) this.#staticDigest = null;
    return entry ? this.#save(enableRecord(entry, enabled, this.#clock())) : null;
  }

  async recordFire(name: string, slot: Date): Promise<boolean> {
    const entry = this.#entries.get(name);
    const fired = entry ? fireRecord(entry, slot, this.#clock()) : null;
    if (fired?.enabled !== entry?.enabled) this.#staticDigest = null; // a one-off disabled: an edit a merge would undo
    if (fired) this.#save(fired);
    return fired !== null;
  }

  async close(): Promise<void> {}

  #save(entry: ScheduleEntry): ScheduleEntry {
    this.#entries.set(entry.name, entry);
    return entry;
  }
}
