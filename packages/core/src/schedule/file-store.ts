/**
 * The embedded store: one JSON file (store-file.ts), shared by beats on one host.
 * - Every write is atomic and durable (temp file, fsync, rename, fsync the directory): a crash
 *   leaves the old or the new file, never half of one.
 * - Mutations run under a lock file on a fresh view of the file, so beats sharing it see each
 *   other's changes and never record the same slot twice.
 * - Group commit: mutations that arrive while one is being written are applied together and
 *   written once. A beat firing 2,000 schedules in one second, or merging 5,000 static ones at
 *   start, writes the file a few times, not once per schedule (each write is the whole file).
 * - The parsed file is kept while the file's stamp (inode, size, times) is unchanged, so a read
 *   costs a stat, not a parse of the whole file.
 * - A missing file is an empty store; a corrupt one is an error, never silently reset.
 */
import { resolve } from 'node:path';
import { withFileLock } from './file-lock.js';
import { enableRecord, fireRecord, putRecord } from './store-records.js';
import { emptyStoreFile, readStoreFile, stampOf, writeStoreFile, type ReadFile, type StoreFile } from './store-file.js';
import type { StoreOptions } from './memory-store.js';
import type { ScheduleStore } from './schedule-store.js';
import type { ScheduleDefinition, ScheduleEntry } from '@celeriac/protocol';

export { FILE_STORE_VERSION } from './store-file.js';

export interface FileStoreOptions extends StoreOptions {
  /** How long to wait for another process's lock on the file. @default 10000 */
  lockTimeoutMs?: number;
}

/** What a mutation changed (write: the file must be written) and what it returns. */
type Change<T> = { write: boolean; value: T };

interface PendingChange {
  apply: (file: StoreFile) => Change<unknown>;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/** How often the file was parsed and written: for diagnostics and for tests of the costs above. */
export interface FileStoreCounters {
  parses: number;
  writes: number;
}

export class FileScheduleStore implements ScheduleStore {
  readonly path: string;
  readonly counters: FileStoreCounters = { parses: 0, writes: 0 };
  readonly #clock: () => Date;
  readonly #lockTimeoutMs: number;
  #queue: Promise<unknown> = Promise.resolve();
  #pending: PendingChange[] = [];
  #cache: ReadFile | null = null;

  constructor(path: string, options: FileStoreOptions = {}) {
    this.path = resolve(path);
    this.#clock = options.clock ?? (() => new Date());
    this.#lockTimeoutMs = options.lockTimeoutMs ?? 10_000;
  }

  async list(): Promise<ScheduleEntry[]> {
    return this.#serial(async () => Object.values((await this.#load()).schedules));
  }

  async get(name: string): Promise<ScheduleEntry | null> {
    return this.#serial(async () => (await this.#load()).schedules[name] ?? null);
  }

  async put(definition: ScheduleDefinition): Promise<ScheduleEntry> {
    return this.#mutate((file) => {
      const entry = putRecord(file.schedules[definition.name], definition, this.#clock());
      file.schedules[entry.name] = entry;
      return { write: true, value: entry };
    });
  }

  async remove(name: string): Promise<boolean> {
    return this.#mutate((file) => {
      const existed = Object.hasOwn(file.schedules, name);
      delete file.schedules[name];
      return { write: existed, value: existed };
    });
  }

  async setEnabled(name: string, enabled: boolean): Promise<ScheduleEntry | null> {
    return this.#mutate((file) => {
      const entry = file.schedules[name];
      if (!entry) return { write: false, value: null };
      const updated = enableRecord(entry, enabled, this.#clock());
      file.schedules[name] = updated;
      return { write: true, value: updated };
    });
  }

  async recordFire(name: string, slot: Date): Promise<boolean> {
    return this.#mutate((file) => {
      const entry = file.schedules[name];
      const fired = entry ? fireRecord(entry, slot, this.#clock()) : null;
      if (fired) file.schedules[name] = fired;
      return { write: fired !== null, value: fired !== null };
    });
  }

  async close(): Promise<void> {
    await this.#queue.catch(() => undefined);
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
      this.#cache = null; // the kept view may hold changes that were never written
      for (const change of batch) change.reject(error);
    }
  }

  async #applyAll(batch: readonly PendingChange[]): Promise<Array<{ value: unknown } | { error: unknown }>> {
    const file = await this.#load();
    let write = false;
    const results = batch.map((change) => {
      try {
        const result = change.apply(file);
        write ||= result.write;
        return { value: result.value };
      } catch (error) {
        return { error };
      }
    });
    if (write) await this.#write(file);
    return results;
  }

  async #write(file: StoreFile): Promise<void> {
    this.#cache = null;
    const stamp = await writeStoreFile(this.path, file);
    this.counters.writes += 1;
    this.#cache = { file, stamp };
  }

  /** The file as it is now: the kept view while its stamp is unchanged, else parsed afresh. */
  async #load(): Promise<StoreFile> {
    const cached = this.#cache;
    if (cached && cached.stamp === (await stampOf(this.path))) return cached.file;
    const read = await readStoreFile(this.path);
    if (read) this.counters.parses += 1;
    this.#cache = read;
    return read?.file ?? emptyStoreFile();
  }
}

function settle(change: PendingChange, result: { value: unknown } | { error: unknown } | undefined): void {
  if (result && 'value' in result) change.resolve(result.value);
  else change.reject(result?.error ?? new Error('schedule store change was not applied'));
}
