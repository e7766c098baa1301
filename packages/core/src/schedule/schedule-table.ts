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
 * An entry still as its line, bytes `start` to `end` of the file read; `next` undefined: not to
 * be trusted; `fires`: journal lines to apply once it is parsed.
 */
interface Unread {
  start: number;
  end: number;
  next: number | null | undefined;
  fires: FireLine[] | null;
}

type Slot = Read | Unread;

export class ScheduleTable {
  readonly #slots = new Map<string, Slot>();
  readonly #texts = new Map<string, string>();
  /** The file the unread lines are in; let go once none is left. */
  #source: Buffer;
  #unread = 0;

  /**
   * `source`: the file's bytes, which addLine's offsets point into. `corrupt` makes the error for
   * a line that turns out not to hold a valid entry.
   */
  constructor(
    source: Buffer = Buffer.alloc(0),
    private readonly corrupt: (reason: string) => Error = (reason) => new Error(reason),
  ) {
    this.#source = source;
  }

  get size(): number {
    return this.#slots.size;
  }

  has(name: string): boolean {
    return this.#slots.has(name);
  }

  /**
   * Adds an unread line. `trustNext` false (the file was planned by other schedule maths or time
   * zone rules) makes its `next` unknown: planned as due at once, then computed from the entry.
   */
  addLine(head: LineHead, start: number, end: number, trustNext: boolean): void {
    this.#slots.set(head.name, { start, end, next: trustNext ? head.next : undefined, fires: null });
    this.#unread += 1;
  }

  get(name: string): ScheduleEntry | undefined {
    const slot = this.#slots.get(name);
    return slot === undefined ? undefined : this.#read(name, slot).entry;
  }

  set(name: string, entry: ScheduleEntry): void {
    this.#forget(this.#slots.get(name));
    this.#slots.set(name, { entry, next: undefined });
  }

  delete(name: string): boolean {
    this.#forget(this.#slots.get(name));
    return this.#slots.delete(name);
  }

  /** Every entry, each parsed now if it was not yet. */
  values(): ScheduleEntry[] {
    return [...this.#slots].map(([name, slot]) => this.#read(name, slot).entry);
  }

  /** A journalled fire: applied now to an entry read, kept beside the line of one unread (its `next` stays a lower bound). */
  replay(fire: FireLine): void {
    const slot = this.#slots.get(fire.name);
    if (slot === undefined) return;
    if ('entry' in slot) return this.set(fire.name, replayFire(slot.entry, fire));
    (slot.fires ??= []).push(fire);
    // Its next slot comes after the fire's; a fire of a slot before the line's `next` (recorded
    // through the store, not by a beat) would otherwise leave `next` later than the truth.
    if (slot.next !== undefined) slot.next = Math.min(slot.next ?? Number.POSITIVE_INFINITY, Date.parse(fire.slot));
  }

  /** Every schedule with a lower bound of its first due time, without parsing it (PlannedEntry). */
  planned(): PlannedEntry[] {
    return [...this.#slots].map(([name, slot]) => ({
      name,
      next: 'entry' in slot ? this.#nextOf(slot) : slot.next === undefined ? 0 : slot.next,
      entry: () => this.#read(name, this.#slots.get(name) ?? slot).entry,
    }));
  }

  /** The file's lines, one per schedule: an unread line without fires as it came. */
  *lines(): Generator<string> {
    for (const [name, slot] of this.#slots) {
      if (!('entry' in slot) && slot.fires === null && slot.next !== undefined) yield this.#text(slot);
      else {
        const read = 'entry' in slot ? slot : this.#read(name, slot);
        yield encodeLine(name, this.#nextOf(read), read.entry);
      }
    }
  }

  #read(name: string, slot: Slot): Read {
    if ('entry' in slot) return slot;
    let entry = decodeEntry(this.#text(slot), name, this.corrupt, this.#texts);
    for (const fire of slot.fires ?? []) entry = replayFire(entry, fire);
    const read: Read = { entry, next: slot.fires === null ? slot.next : undefined };
    if (this.#slots.get(name) === slot) {
      this.#forget(slot);
      this.#slots.set(name, read);
    }
    return read;
  }

  #text(slot: Unread): string {
    return this.#source.toString('utf8', slot.start, slot.end);
  }

  /** A slot leaves the table or is read: once no line is unread, the file's bytes can go. */
  #forget(slot: Slot | undefined): void {
    if (slot === undefined || 'entry' in slot) return;
    if (--this.#unread === 0) this.#source = Buffer.alloc(0);
  }

  /** An entry whose slots cannot be computed is due at once (0): the beat then says why it skips it. */
  #nextOf(read: Read): number | null {
    if (read.next !== undefined) return read.next;
    try {
      read.next = firstDueMs(read.entry);
    } catch {
      read.next = 0;
    }
    return read.next;
  }
}
