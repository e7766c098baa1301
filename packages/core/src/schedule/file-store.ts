/**
 * The embedded store: one file of JSON lines (store-file.ts), shared by beats on one host.
 * - Every write is atomic and durable (temp file, fsync, rename, fsync the directory): a crash
 *   leaves the old or the new file, never half of one.
 * - Mutations run under a lock file on a fresh view of the file, so beats sharing it see each
 *   other's changes and never record the same slot twice.
 * - Group commit: mutations that arrive while one is being written are applied together and
 *   written once. A beat firing 2,000 schedules in one second, or merging 5,000 static ones at
 *   start, writes a few times, not once per schedule.
 * - Fires go to a journal beside the file (store-journal.ts), not into the file: recording a
 *   group of fires appends a line each instead of rewriting every schedule. Any other change,
 *   close(), or a journal larger than the file writes the whole file with the journal folded in.
 * - The parsed file is kept (store-view.ts) while the file's stamp (inode, size, times) is unchanged, so a read
 *   costs a stat, not a parse of the whole file. An entry is parsed only when it is first asked
 *   for (schedule-table.ts), so a restart of a beat reads names and next due times, not entries.
 * - A missing file is an empty store; a corrupt one is an error, never silently reset.
 */
import { resolve } from 'node:path';
import { withFileLock } from './file-lock.js';
import {
  digestAfterPut,
  editMark,
  enableRecord,
  fireRecord,
  isMergeDigest,
  putRecord,
  putRecords,
} from './store-records.js';
import type { StoreFile } from './store-file.js';
import type { FireLine } from './store-journal.js';
import { StoreView, type FileStoreCounters } from './store-view.js';
import type { StoreOptions } from './memory-store.js';
import type { PlannedEntry, ScheduleStore, StaticMerge } from './schedule-store.js';
import type { ScheduleDefinition, ScheduleEntry } from '@celeriac/protocol';

export { FILE_STORE_VERSION } from './store-file.js';
export type { FileStoreCounters } from './store-view.js';

export interface FileStoreOptions extends StoreOptions {
  /** How long to wait for another process's lock on the file. @default 10000 */
  lockTimeoutMs?: number;
}

/**
 * What a mutation changed and what it returns: `write` means the whole file must be written,
 * `fire` a journal line suffices; `applied` runs once the batch is applied, before it is written.
 */
type Change<T> = { write: boolean; value: T; fire?: FireLine; applied?: () => void };

interface PendingChange {
  apply: (file: StoreFile) => Change<unknown>;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

export class FileScheduleStore implements ScheduleStore {
  readonly path: string;
  readonly counters: FileStoreCounters;
  readonly #view: StoreView;
  readonly #clock: () => Date;
  readonly #lockTimeoutMs: number;
  #queue: Promise<unknown> = Promise.resolve();
  #pending: PendingChange[] = [];

  constructor(path: string, options: FileStoreOptions = {}) {
    this.path = resolve(path);
    this.#view = new StoreView(this.path);
    this.counters = this.#view.counters;
    this.#clock = options.clock ?? (() => new Date());
    this.#lockTimeoutMs = options.lockTimeoutMs ?? 10_000;
  }

  async list(): Promise<ScheduleEntry[]> {
    return this.#serial(async () => (await this.#view.load()).schedules.values());
  }

  /** Without parsing the entries of a file read lazily (schedule-table.ts): a restart's heap from each line's `next`. */
  async listPlanned(): Promise<PlannedEntry[]> {
    return this.#serial(async () => (await this.#view.load()).schedules.planned());
  }

  async get(name: string): Promise<ScheduleEntry | null> {
    return this.#serial(async () => (await this.#view.load()).schedules.get(name) ?? null);
  }

  async put(definition: ScheduleDefinition): Promise<ScheduleEntry> {
    return this.#mutate((file) => {
      const entry = putRecord(file.schedules.get(definition.name), definition, this.#clock());
      file.schedules.set(entry.name, entry);
      file.staticDigest = editMark();
      return { write: true, value: entry };
    });
  }

  /**
   * One change for all of them: a merge of 100,000 static schedules is one mutation and one
   * write. `applied` gets the table's listing as the write starts (ScheduleStore.putMany).
   */
  async putMany(
    definitions: readonly ScheduleDefinition[],
    merge?: StaticMerge,
    applied?: (listing: PlannedEntry[]) => void,
  ): Promise<ScheduleEntry[]> {
    return this.#mutate((file) => {
      const entries = putRecords((name) => file.schedules.get(name), definitions, this.#clock());
      for (const entry of entries) file.schedules.set(entry.name, entry);
      const digest = digestAfterPut(file.staticDigest, merge, entries.length > 0);
      const digestChanged = digest !== file.staticDigest;
      file.staticDigest = digest;
      const write = entries.length > 0 || digestChanged;
      const listed = write && applied ? () => applied(file.schedules.planned()) : undefined;
      return { write, value: entries, applied: listed };
    });
  }

  async staticDigest(): Promise<string | null> {
    return this.#serial(async () => (await this.#view.load()).staticDigest);
  }

  async remove(name: string): Promise<boolean> {
    return this.#mutate((file) => {
      const existed = file.schedules.delete(name);
      if (existed) file.staticDigest = editMark();
      return { write: existed, value: existed };
    });
  }

  async setEnabled(name: string, enabled: boolean): Promise<ScheduleEntry | null> {
    return this.#mutate((file) => {
      const entry = file.schedules.get(name);
      if (!entry) return { write: false, value: null };
      const updated = enableRecord(entry, enabled, this.#clock());
      file.schedules.set(name, updated);
      file.staticDigest = editMark();
      return { write: true, value: updated };
    });
  }

  async recordFire(name: string, slot: Date): Promise<boolean> {
    return this.#mutate((file) => fireChange(file, name, slot, this.#clock()));
  }

  /** Folds a journal this store wrote into the file, so a stopped beat leaves one whole file. */
  async close(): Promise<void> {
    await this.#queue.catch(() => undefined);
    if (this.#view.journalOffset === 0) return;
    await this.#mutate(() => ({ write: true, value: undefined })).catch(() => undefined);
  }

  #serial<T>(work: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(work, work);
    this.#queue = run.catch(() => undefined);
    return run;
  }

  /** Joins the next commit; the first change of a batch schedules it behind the work already queued. */
  #mutate<T>(apply: (file: StoreFile) => Change<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#pending.push({ apply, resolve: resolve as (value: unknown) => void, reject });
      if (this.#pending.length === 1) void this.#serial(() => this.#commit());
    });
  }

  /** Applies every pending change to one fresh view of the file under the lock, and writes it once. */
  async #commit(): Promise<void> {
    const batch = this.#pending.splice(0);
    try {
      const results = await withFileLock(`${this.path}.lock`, this.#lockTimeoutMs, () => this.#applyAll(batch));
      batch.forEach((change, index) => settle(change, results[index]));
    } catch (error) {
      this.#view.forget(); // it may hold changes that were never written
      for (const change of batch) change.reject(error);
    }
  }

  async #applyAll(batch: readonly PendingChange[]): Promise<Array<{ value: unknown } | { error: unknown }>> {
    const file = await this.#view.load();
    let write = false;
    const fires: FireLine[] = [];
    const applied: Array<() => void> = [];
    const results = batch.map((change) => {
      try {
        const result = change.apply(file);
        write ||= result.write;
        if (result.fire) fires.push(result.fire);
        if (result.applied) applied.push(result.applied);
        return { value: result.value };
      } catch (error) {
        return { error };
      }
    });
    for (const listener of applied) listener();
    if (write) await this.#view.write(file);
    else if (fires.length > 0 && (await this.#view.append(fires))) await this.#view.fold(file);
    return results;
  }
}

/** A fire is a journal line; one that disables a one-off marks an edit too, so the file is written. */
function fireChange(file: StoreFile, name: string, slot: Date, now: Date): Change<boolean> {
  const entry = file.schedules.get(name);
  const fired = entry ? fireRecord(entry, slot, now) : null;
  if (!fired?.lastSlot) return { write: false, value: false };
  file.schedules.set(name, fired);
  // Only a merge's digest needs the mark (a whole write): a fired one-off left disabled under a
  // mark or none is what a merge would only enable again, its slot fired, planning no fire.
  if (fired.enabled === entry?.enabled || !isMergeDigest(file.staticDigest))
    return { write: false, value: true, fire: { name, slot: fired.lastSlot, updatedAt: fired.updatedAt } };
  file.staticDigest = editMark(); // an edit a merge would undo
  return { write: true, value: true };
}

function settle(change: PendingChange, result: { value: unknown } | { error: unknown } | undefined): void {
  if (result && 'value' in result) change.resolve(result.value);
  else change.reject(result?.error ?? new Error('schedule store change was not applied'));
}
