/**
 * The loop's schedules by name, enabled or not, with their latest state. A store that plans
 * without reading (ScheduleStore.listPlanned: the file store at a restart) hands out a name and
 * a due time per schedule; the entry is read the first time the loop needs it, when it comes
 * due. So a restart with 100,000 schedules builds its heap without parsing them.
 */
import type { PlannedEntry, ScheduleEntry } from '@celeriac/core';
import type { HeapItem } from './schedule-heap.js';

export class LoopEntries {
  readonly #read = new Map<string, ScheduleEntry>();
  readonly #unread = new Map<string, PlannedEntry>();
  /**
   * closed (before a load, after a stop): edits are the store's, and the next load lists them
   * (a merge of 100,000 static schedules set each here only for the load to clear them). While
   * the store lists (listing): edits wait in #edits (null: removed) and go over the listing,
   * which may have been taken before them.
   */
  #phase: 'closed' | 'listing' | 'open' = 'closed';
  readonly #edits = new Map<string, ScheduleEntry | null>();

  /** `unreadable` hears of an entry the store could not read: it is dropped, as if removed. */
  constructor(private readonly unreadable: (name: string, error: unknown) => void) {}

  /** The store is being listed for load(): edits from now on are kept for it. */
  listing(): void {
    this.#phase = 'listing';
    this.#edits.clear();
  }

  /**
   * Replaces every schedule with these (entries read, or planned ones to be read when first
   * needed), then applies the edits made since listing().
   */
  load(listed: ReadonlyArray<ScheduleEntry | PlannedEntry>): void {
    this.#read.clear();
    this.#unread.clear();
    for (const item of listed) {
      if (isPlanned(item)) this.#unread.set(item.name, item);
      else this.#read.set(item.name, item);
    }
    this.#phase = 'open';
    this.#edits.forEach((entry, name) => (entry ? this.set(entry) : this.delete(name)));
    this.#edits.clear();
  }

  /** Forgets every schedule (the loop stopped): the next load lists them again. */
  close(): void {
    this.#phase = 'closed';
    this.#edits.clear();
    this.#read.clear();
    this.#unread.clear();
  }

  has(name: string): boolean {
    return this.#read.has(name) || this.#unread.has(name);
  }

  /** The entry, read now if it was not yet; undefined if there is none or it cannot be read. */
  get(name: string): ScheduleEntry | undefined {
    return this.#read.get(name) ?? this.#readNow(name);
  }

  set(entry: ScheduleEntry): void {
    if (this.#phase === 'listing') this.#edits.set(entry.name, entry);
    if (this.#phase !== 'open') return;
    this.#unread.delete(entry.name);
    this.#read.set(entry.name, entry);
  }

  delete(name: string): void {
    if (this.#phase === 'listing') this.#edits.set(name, null);
    if (this.#phase !== 'open') return;
    this.#read.delete(name);
    this.#unread.delete(name);
  }

  /**
   * Heap items for every schedule with a due time: `firstDue` for an entry read, the store's
   * `next` for one unread (a lower bound: popped early, it is read and fires nothing before its slot).
   */
  *plan(firstDue: (entry: ScheduleEntry) => number | null): Iterable<HeapItem> {
    for (const entry of this.#read.values()) {
      const next = firstDue(entry);
      if (next !== null) yield { name: entry.name, next };
    }
    for (const { name, next } of this.#unread.values()) if (next !== null) yield { name, next };
  }

  #readNow(name: string): ScheduleEntry | undefined {
    const planned = this.#unread.get(name);
    if (!planned) return undefined;
    this.#unread.delete(name);
    try {
      const entry = planned.entry();
      this.#read.set(name, entry);
      return entry;
    } catch (error) {
      this.unreadable(name, error);
      return undefined;
    }
  }
}

function isPlanned(item: ScheduleEntry | PlannedEntry): item is PlannedEntry {
  return typeof (item as Partial<PlannedEntry>).entry === 'function';
}
