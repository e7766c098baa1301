/**
 * The file store's schedules by name, parsed when first asked for. A file comes in as lines
 * (store-lines.ts): a restart keeps each line and its head, and parses the entry when a beat
 * fires it or someone reads it. Fires replayed from the journal onto an entry still unread wait
 * beside its line until then. Writing reuses the line of an entry never read, so folding a
 * journal into a file of 100,000 schedules stringifies only the entries that changed.
 *
 * By name, in a Map: a schedule may be called 'constructor' or '__proto__' (in a plain object
 * those found Object.prototype's members).
 */
import { firstDueMs } from './due-slots.js';
import { decodeEntry, encodeLine, type LineHead } from './store-lines.js';
import { replayFire, type FireLine } from './store-records.js';
import type { PlannedEntry } from './schedule-store.js';
import type { ScheduleEntry } from '@celeriac/protocol';

/** An entry read: `next` is its firstDueMs as last computed, undefined until it is needed. */
interface Read {
  entry: ScheduleEntry;
  next: number | null | undefined;
}

/**
 * An entry still as its line, bytes `start` to `end` of `source` (the file as read); `next`
 * undefined: not to be trusted; `fires`: journal lines to apply once it is parsed; `read`: the
 * entry once parsed, for a PlannedEntry that still points here.
 */
interface Unread {
  source: Buffer;
  start: number;
  end: number;
  next: number | null | undefined;
  fires: FireLine[] | null;
  read?: Read;
}

export type Slot = Read | Unread;

/**
 * A PlannedEntry of a table, its entry read from the slot it was listed with: an object of four
 * fields, where an object literal with an arrow per schedule took ~170 bytes (17 MB at 100,000).
 */
class PlannedSlot implements PlannedEntry {
  /** Private fields: a PlannedEntry logged or stringified must not dump the file's bytes. */
  readonly #table: ScheduleTable;
  readonly #slot: Slot;

  constructor(
    readonly name: string,
    readonly next: number | null,
    table: ScheduleTable,
    slot: Slot,
  ) {
    this.#table = table;
    this.#slot = slot;
  }

  entry(): ScheduleEntry {
    return this.#table.readListed(this.name, this.#slot);
  }
}

export class ScheduleTable {
  readonly #slots = new Map<string, Slot>();
  readonly #texts = new Map<string, string>();
  readonly #corrupt: (reason: string) => Error;

  /** `corrupt` makes the error for a line that turns out not to hold a valid entry. */
  constructor(corrupt: (reason: string) => Error = (reason) => new Error(reason)) {
    this.#corrupt = corrupt;
  }

  get size(): number {
    return this.#slots.size;
  }

  has(name: string): boolean {
    return this.#slots.has(name);
  }

  /**
   * Adds an unread line of `source`. `trustNext` false (the file was planned by other schedule
   * maths or time zone rules) makes its `next` unknown: planned as due at once, computed once read.
   */
  addLine(head: LineHead, source: Buffer, start: number, end: number, trustNext: boolean): void {
    this.#slots.set(head.name, { source, start, end, next: trustNext ? head.next : undefined, fires: null });
  }

  get(name: string): ScheduleEntry | undefined {
    const slot = this.#slots.get(name);
    return slot === undefined ? undefined : this.#read(name, slot).entry;
  }

  set(name: string, entry: ScheduleEntry): void {
    this.#slots.set(name, { entry, next: undefined });
  }

  delete(name: string): boolean {
    return this.#slots.delete(name);
  }

  /** Every entry, each parsed now if it was not yet. */
  values(): ScheduleEntry[] {
    const entries: ScheduleEntry[] = [];
    this.#slots.forEach((slot, name) => entries.push(this.#read(name, slot).entry));
    return entries;
  }

  /** A journalled fire: applied now to an entry read, kept beside the line of one unread. */
  replay(fire: FireLine): void {
    const slot = this.#slots.get(fire.name);
    if (slot === undefined) return;
    if ('entry' in slot) {
      // In place: a PlannedEntry listed with this slot must hand out the fire too, or a beat
      // taking over from another would send that slot again.
      const fired = replayFire(slot.entry, fire);
      if (fired === slot.entry) return;
      slot.entry = fired;
      slot.next = undefined;
      return;
    }
    (slot.fires ??= []).push(fire);
    // Its next slot comes after the fire's; a fire of a slot before the line's `next` (recorded
    // through the store, not by a beat) would otherwise leave `next` later than the truth.
    if (slot.next !== undefined) slot.next = Math.min(slot.next ?? Number.POSITIVE_INFINITY, Date.parse(fire.slot));
  }

  /**
   * Every schedule with a lower bound of its first due time, without parsing it. An entry() is
   * the entry as listed, with the journal's fires until it is first read; one removed or
   * replaced in the table since is still the one listed, as list() handed out entries.
   */
  planned(): PlannedEntry[] {
    const planned: PlannedEntry[] = [];
    this.#slots.forEach((slot, name) => planned.push(new PlannedSlot(name, this.#plannedNext(slot), this, slot)));
    return planned;
  }

  /** @internal The entry of a slot planned() listed. */
  readListed(name: string, slot: Slot): ScheduleEntry {
    return this.#read(name, slot).entry;
  }

  /** The file's lines, one per schedule: an unread line without fires as it came. */
  *lines(): Generator<string> {
    for (const [name, slot] of this.#slots) yield this.#line(name, slot);
  }

  #line(name: string, slot: Slot): string {
    if ('entry' in slot) return encodeLine(name, this.#nextOf(slot), slot.entry);
    if (slot.fires !== null) return this.#line(name, this.#read(name, slot));
    const text = slot.source.toString('utf8', slot.start, slot.end);
    // Not parsed even so: a corrupt line stays as it is (an error when it is read), due at once.
    return slot.next === undefined ? `[0${text.slice(text.indexOf(','))}` : text;
  }

  #plannedNext(slot: Slot): number | null {
    if ('entry' in slot) return this.#nextOf(slot);
    return slot.next === undefined ? 0 : slot.next;
  }

  /** The entry of `slot`, parsed once; it takes the slot's place in the table if it still has it. */
  #read(name: string, slot: Slot): Read {
    if ('entry' in slot) return slot;
    const read = (slot.read ??= this.#parse(name, slot));
    if (this.#slots.get(name) === slot) this.#slots.set(name, read);
    return read;
  }

  #parse(name: string, slot: Unread): Read {
    const text = slot.source.toString('utf8', slot.start, slot.end);
    let entry = decodeEntry(text, name, this.#corrupt, this.#texts);
    for (const fire of slot.fires ?? []) entry = replayFire(entry, fire);
    return { entry, next: slot.fires === null ? slot.next : undefined };
  }

  /**
   * An entry whose slots cannot be computed (the maths throws, or gives no time: an unparsable
   * date) is due at once (0): the beat then says why it skips it, and the line stays readable.
   */
  #nextOf(read: Read): number | null {
    if (read.next !== undefined) return read.next;
    try {
      const next = firstDueMs(read.entry);
      read.next = next === null || Number.isSafeInteger(next) ? next : 0;
    } catch {
      read.next = 0;
    }
    return read.next;
  }
}
