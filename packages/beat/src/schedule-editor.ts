/**
 * Applies schedule edits to the store and then to the leader's loop, so an edit takes effect at
 * once: no restart, no polling. Used by runtime commands (control.ts) and by the merge of
 * static schedules at start.
 */
import type { ScheduleCommand, ScheduleReply } from '@celeriac/protocol';
import {
  InvalidArgumentError,
  type PlannedEntry,
  type ScheduleDefinition,
  type ScheduleEntry,
  type ScheduleInput,
  type ScheduleStore,
  type StaticMerge,
} from '@celeriac/core';
import type { BeatLoop } from './beat-loop.js';
import { compileStatic, withStoredParts, type StaticSchedule } from './static-schedule.js';

/**
 * How mergeStatic merges: the digest to record with it, whether other schedules go, and who
 * takes the store's listing once the merge is applied, before it is durable (a beat starting
 * to lead; see ScheduleStore.putMany). A merge so listed is not handed to the loop entry by
 * entry: the loop plans from that listing, and fires from it may be in flight when the write ends.
 */
export interface MergeOptions {
  digest?: string;
  prune?: boolean;
  applied?: (listing: PlannedEntry[]) => void;
}

export class ScheduleEditor {
  constructor(
    private readonly store: ScheduleStore,
    private readonly loop: Pick<BeatLoop, 'upsert' | 'remove'> | null,
    private readonly clock: () => number = Date.now,
  ) {}

  async apply(command: ScheduleCommand): Promise<ScheduleReply> {
    switch (command.op) {
      case 'add':
        return { op: 'add', entry: await this.add(command.schedule) };
      case 'update':
        return { op: 'update', entry: await this.update(command.schedule) };
      case 'remove':
        return { op: 'remove', removed: await this.remove(command.name) };
      case 'enable':
      case 'disable':
        return { op: command.op, entry: await this.setEnabled(command.name, command.op === 'enable') };
      case 'list':
        return { op: 'list', entries: byName(await this.store.list()) };
    }
  }

  /** A new schedule; refused if the name is taken (update changes an existing one). */
  async add(input: ScheduleInput): Promise<ScheduleEntry> {
    const definition = this.#compile(input, null);
    if (await this.store.get(definition.name))
      throw new InvalidArgumentError(`schedule "${definition.name}" already exists; use update to change it`);
    return this.#put(definition);
  }

  /** Changes an existing schedule, keeping its state; refused if there is none. */
  async update(input: ScheduleInput): Promise<ScheduleEntry> {
    const existing = await this.store.get(nameOf(input));
    if (!existing) throw new InvalidArgumentError(`no schedule named "${nameOf(input)}"; use add to create it`);
    return this.#put(this.#compile(input, existing));
  }

  /**
   * Adds or updates each schedule, writing only those that changed (static schedules at every
   * start). Without an explicit `enabled`, a stored schedule keeps its own: a runtime disable,
   * or a one-off that already fired, survives a restart. Every input is validated before
   * anything is written, the store is read once, and the writes go out together (a file store
   * commits them as one write): per-schedule reads and writes made a beat with 5,000 static
   * schedules take minutes to start. Resolves with the number of schedules written.
   */
  async mergeAll(inputs: readonly ScheduleInput[]): Promise<number> {
    const now = new Date(this.clock());
    return this.mergeStatic(inputs.map((input) => compileStatic(input, now)));
  }

  /**
   * mergeAll of schedules compiled already (a Beat compiles its static schedules when it is
   * built); with `prune`, every other stored schedule is removed first. A store with
   * staticDigest records `digest` with them, even when nothing changed (one write, then
   * restarts skip the merge), unless another beat edited the store since the digest was read,
   * before the list merged against (StaticMerge), or a schedule to prune came back meanwhile.
   * Without a digest, a merge that changes nothing writes nothing and leaves the digest as it was.
   */
  async mergeStatic(schedules: readonly StaticSchedule[], options: MergeOptions = {}): Promise<number> {
    const names = new Set(schedules.map(({ definition }) => definition.name));
    if (options.prune) await this.#prune(names);
    const current = options.digest === undefined ? null : ((await this.store.staticDigest?.()) ?? null);
    const listed = await this.store.list();
    const stored = new Map(listed.map((entry) => [entry.name, entry]));
    const changed = schedules.flatMap((schedule) => merged(schedule, stored.get(schedule.definition.name)) ?? []);
    const whole = !options.prune || listed.every((entry) => names.has(entry.name));
    const merge = options.digest !== undefined && whole ? { digest: options.digest, ifCurrent: current } : undefined;
    return this.#putChanged(changed, merge, options.applied);
  }

  async #putChanged(
    changed: ScheduleDefinition[],
    merge: StaticMerge | undefined,
    applied: MergeOptions['applied'],
  ): Promise<number> {
    if (changed.length === 0 && (merge === undefined || !this.store.staticDigest)) return 0;
    if (!this.store.putMany) {
      await Promise.all(changed.map((definition) => this.#put(definition)));
      return changed.length;
    }
    let listed = false;
    const handOut =
      applied &&
      ((listing: PlannedEntry[]) => {
        listed = true;
        applied(listing);
      });
    const entries = await this.store.putMany(changed, merge, handOut);
    if (!listed) for (const entry of entries) this.loop?.upsert(entry);
    return changed.length;
  }

  async #prune(keep: ReadonlySet<string>): Promise<void> {
    const stale = (await this.store.list()).filter((entry) => !keep.has(entry.name));
    await Promise.all(stale.map((entry) => this.remove(entry.name)));
  }

  async remove(name: string): Promise<boolean> {
    const removed = await this.store.remove(name);
    this.loop?.remove(name);
    return removed;
  }

  async setEnabled(name: string, enabled: boolean): Promise<ScheduleEntry> {
    const entry = await this.store.setEnabled(name, enabled);
    if (!entry) throw new InvalidArgumentError(`no schedule named "${name}"`);
    this.loop?.upsert(entry);
    return entry;
  }

  /**
   * An interval given without an anchor keeps the stored one: re-applying the same input must
   * not move its slots. `enabled` is the input's (default true): an update is the whole truth.
   */
  #compile(input: ScheduleInput, existing: ScheduleEntry | null): ScheduleDefinition {
    const schedule = compileStatic(input, new Date(this.clock()));
    return existing ? withStoredParts({ ...schedule, keepsEnabled: false }, existing) : schedule.definition;
  }

  async #put(definition: ScheduleDefinition): Promise<ScheduleEntry> {
    const entry = await this.store.put(definition);
    this.loop?.upsert(entry);
    return entry;
  }
}

/** The definition to write for `schedule`, or null when the stored one is the same already. */
function merged(schedule: StaticSchedule, existing: ScheduleEntry | undefined): ScheduleDefinition | null {
  if (!existing) return schedule.definition;
  const definition = withStoredParts(schedule, existing);
  return sameDefinition(existing, definition) ? null : definition;
}

function nameOf(input: ScheduleInput): string {
  if (typeof input?.name === 'string' && input.name.length > 0) return input.name;
  throw new InvalidArgumentError('a schedule needs a name (a non-empty string)');
}

const DEFINITION_KEYS = [
  'name',
  'task',
  'schedule',
  'args',
  'kwargs',
  'options',
  'enabled',
  'missedRuns',
  'maxCatchUp',
] as const;

/**
 * Compared as JSON values, not as JSON texts: a restart merging 100,000 unchanged schedules
 * stringified 1.8 million values for it. Shared parts (a cron spec, the options) are the same
 * object and compare at once.
 */
function sameDefinition(entry: ScheduleEntry, definition: ScheduleDefinition): boolean {
  return DEFINITION_KEYS.every((key) => sameJson(entry[key], definition[key]));
}

/**
 * Equal as JSON would write them, for JSON data (what compiled definitions and stores hold: no
 * Dates, NaN or toJSON): key order does not count, a key holding undefined is absent.
 */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) || Array.isArray(b)) return sameArray(a, b);
  const [left, right] = [a as Record<string, unknown>, b as Record<string, unknown>];
  const keys = definedKeys(left);
  return keys.length === definedKeys(right).length && keys.every((key) => sameJson(left[key], right[key]));
}

/** By index, not by every(): a hole is null in JSON, and every() would skip it. */
function sameArray(a: object, b: object): boolean {
  if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!sameJson(a[i] ?? null, b[i] ?? null)) return false;
  return true;
}

function definedKeys(value: Record<string, unknown>): string[] {
  return Object.keys(value).filter((key) => value[key] !== undefined);
}

/** Stores list in their own order (MongoDB's is not sorted, which costs it a third of a load): people read lists by name. */
function byName(entries: ScheduleEntry[]): ScheduleEntry[] {
  return entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
