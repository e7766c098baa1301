/**
 * The embedded store: one JSON file `{version: 1, schedules: {name: entry}}`.
 * - Every write is atomic and durable: a temp file in the same directory, fsync, rename over the
 *   file, fsync the directory — a crash leaves the old or the new file, never half of one.
 * - Operations of one store run one at a time (a promise chain), and each re-reads the file under
 *   a lock file, so beats on one host sharing the file see each other's changes and never record
 *   the same slot twice.
 * - A missing file is an empty store; a corrupt one is an error, never silently reset.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, open, readFile, rename, unlink } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { ConfigurationError } from '../errors.js';
import { isCode, withFileLock } from './file-lock.js';
import { enableRecord, fireRecord, putRecord } from './store-records.js';
import type { StoreOptions } from './memory-store.js';
import type { ScheduleStore } from './schedule-store.js';
import type { ScheduleDefinition, ScheduleEntry } from './schedule-types.js';

export const FILE_STORE_VERSION = 1;

interface StoreFile {
  version: typeof FILE_STORE_VERSION;
  schedules: Record<string, ScheduleEntry>;
}

export interface FileStoreOptions extends StoreOptions {
  /** How long to wait for another process's lock on the file. @default 10000 */
  lockTimeoutMs?: number;
}

/** What a mutation wants written (null: nothing changed) and returned. */
type Change<T> = { write: boolean; value: T };

export class FileScheduleStore implements ScheduleStore {
  readonly path: string;
  readonly #clock: () => Date;
  readonly #lockTimeoutMs: number;
  #queue: Promise<unknown> = Promise.resolve();

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

  #mutate<T>(change: (file: StoreFile) => Change<T>): Promise<T> {
    return this.#serial(() => withFileLock(`${this.path}.lock`, this.#lockTimeoutMs, async () => {
      const file = await this.#load();
      const { write, value } = change(file);
      if (write) await writeAtomic(this.path, `${JSON.stringify(file, null, 2)}\n`);
      return value;
    }));
  }

  async #load(): Promise<StoreFile> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (error) {
      if (isCode(error, 'ENOENT')) return { version: FILE_STORE_VERSION, schedules: {} };
      throw error;
    }
    return parseStoreFile(this.path, text);
  }
}

/** The parsed file, or a ConfigurationError that says what is wrong and that nothing was reset. */
export function parseStoreFile(path: string, text: string): StoreFile {
  const corrupt = (reason: string) => new ConfigurationError(`schedule store file '${path}' is corrupt: ${reason}. Fix or remove it; Celeriac never resets it on its own`);
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw corrupt(`not valid JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  if (!isRecord(data)) throw corrupt('expected an object {version: 1, schedules: {...}}');
  if (data.version !== FILE_STORE_VERSION) throw corrupt(`unsupported version ${JSON.stringify(data.version)} (expected ${FILE_STORE_VERSION})`);
  if (!isRecord(data.schedules)) throw corrupt("'schedules' is not an object");
  for (const [name, entry] of Object.entries(data.schedules)) {
    if (!isEntry(entry) || entry.name !== name) throw corrupt(`schedule '${name}' is not a valid entry`);
  }
  return data as unknown as StoreFile;
}

function isEntry(value: unknown): value is ScheduleEntry {
  return isRecord(value) && typeof value.name === 'string' && typeof value.task === 'string' && isRecord(value.schedule)
    && (value.lastSlot === null || typeof value.lastSlot === 'string') && typeof value.runCount === 'number' && typeof value.createdAt === 'string';
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Temp file in the same directory (so rename is atomic), fsync, rename, fsync the directory. */
export async function writeAtomic(path: string, text: string): Promise<void> {
  const directory = dirname(path);
  await mkdir(directory, { recursive: true });
  const temp = `${path}.${process.pid}.${randomUUID()}.tmp`;
  try {
    const handle = await open(temp, 'w');
    try {
      await handle.writeFile(text);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, path);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  }
  await syncDirectory(directory);
}

/** Makes the rename itself durable. Some platforms (Windows) cannot open a directory: skipped. */
async function syncDirectory(directory: string): Promise<void> {
  const handle = await open(directory, 'r').catch(() => null);
  if (!handle) return;
  try {
    await handle.sync().catch((error: unknown) => {
      if (!isCode(error, 'EISDIR') && !isCode(error, 'EINVAL') && !isCode(error, 'EPERM')) throw error;
    });
  } finally {
    await handle.close();
  }
}
