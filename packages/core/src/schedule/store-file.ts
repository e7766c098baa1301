/**
 * The embedded store's file on disk: `{version: 1, staticDigest?, schedules: {name: entry}}`, parsed strictly
 * and written atomically. The FileScheduleStore decides when; this module knows how.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, open, rename, unlink, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { ConfigurationError } from '../errors.js';
import { isCode } from './file-lock.js';
import { shareParsedParts } from './shared-parts.js';
import type { ScheduleEntry } from '@celeriac/protocol';

export const FILE_STORE_VERSION = 1;

export interface StoreFile {
  version: typeof FILE_STORE_VERSION;
  /**
   * By name, in a Map: a schedule may be called 'constructor' or '__proto__' (in a plain object
   * those found Object.prototype's members), and 100,000 names made the object a dictionary
   * whose Object.values took 80 ms a list(), against 1 ms for the Map's values.
   */
  schedules: Map<string, ScheduleEntry>;
  /** See ScheduleStore.staticDigest; written only when set, so older Celeriacs read the file as before. */
  staticDigest: string | null;
}

/** The identity of a version of the file (inode, size, times), and its size. */
export interface Stamp {
  id: string;
  bytes: number;
}

/** A file as read: its content and the identity of the version read. */
export interface ReadFile {
  file: StoreFile;
  stamp: Stamp;
}

export function emptyStoreFile(): StoreFile {
  return { version: FILE_STORE_VERSION, schedules: new Map(), staticDigest: null };
}

/**
 * The stamp of the file now, or null when there is none. Every write renames a new inode over
 * the file, so an unchanged stamp means unchanged content: a reader can skip the parse.
 */
export async function stampOf(path: string): Promise<Stamp | null> {
  const handle = await openIfExists(path);
  if (!handle) return null;
  try {
    return stamp(await handle.stat({ bigint: true }));
  } finally {
    await handle.close();
  }
}

/** Reads and parses the file through one handle, so the stamp belongs to the content read. Null: no file. */
export async function readStoreFile(path: string): Promise<ReadFile | null> {
  const handle = await openIfExists(path);
  if (!handle) return null;
  try {
    const stats = await handle.stat({ bigint: true });
    return { file: parseStoreFile(path, await handle.readFile('utf8')), stamp: stamp(stats) };
  } finally {
    await handle.close();
  }
}

/** The file opened for reading, or null when there is none. */
export async function openIfExists(path: string): Promise<FileHandle | null> {
  try {
    return await open(path, 'r');
  } catch (error) {
    if (isCode(error, 'ENOENT')) return null;
    throw error;
  }
}

function stamp(stats: { ino: bigint; size: bigint; mtimeNs: bigint; ctimeNs: bigint }): Stamp {
  return { id: `${stats.ino}:${stats.size}:${stats.mtimeNs}:${stats.ctimeNs}`, bytes: Number(stats.size) };
}

/** The parsed file, or a ConfigurationError that says what is wrong and that nothing was reset. */
export function parseStoreFile(path: string, text: string): StoreFile {
  const corrupt = (reason: string) =>
    new ConfigurationError(
      `schedule store file '${path}' is corrupt: ${reason}. Fix or remove it; Celeriac never resets it on its own`,
    );
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw corrupt(`not valid JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  if (!isRecord(data)) throw corrupt('expected an object {version: 1, schedules: {...}}');
  if (data.version !== FILE_STORE_VERSION)
    throw corrupt(`unsupported version ${JSON.stringify(data.version)} (expected ${FILE_STORE_VERSION})`);
  if (!isRecord(data.schedules)) throw corrupt("'schedules' is not an object");
  if (data.staticDigest !== undefined && typeof data.staticDigest !== 'string')
    throw corrupt("'staticDigest' is not a string");
  const stored = data.schedules;
  const schedules = new Map<string, ScheduleEntry>();
  const texts = new Map<string, string>();
  // Keys, then a lookup each: Object.entries of 100,000 names built as many pairs (~90 ms).
  for (const name of Object.keys(stored)) {
    const entry = stored[name];
    if (!isEntry(entry) || entry.name !== name) throw corrupt(`schedule '${name}' is not a valid entry`);
    schedules.set(name, shareParsedParts(entry, texts));
  }
  return { version: FILE_STORE_VERSION, schedules, staticDigest: data.staticDigest ?? null };
}

function isEntry(value: unknown): value is ScheduleEntry {
  return (
    isRecord(value) &&
    typeof value.name === 'string' &&
    typeof value.task === 'string' &&
    isRecord(value.schedule) &&
    (value.lastSlot === null || typeof value.lastSlot === 'string') &&
    typeof value.runCount === 'number' &&
    typeof value.createdAt === 'string'
  );
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Writes the file atomically and durably; resolves with the stamp of the version written. One
 * line per schedule, not indented JSON: with 100,000 schedules indenting made the file 54 MB
 * instead of 30 MB and its writing twice as slow, while one line per schedule still diffs and
 * greps well. Written in chunks of CHUNK_ENTRIES schedules: the whole text at once was 30 MB of
 * string and as much again of buffer at the peak of a beat's memory, and half a second in which
 * the beat could not fire.
 */
export async function writeStoreFile(path: string, file: StoreFile): Promise<Stamp> {
  await writeAtomic(path, storeFileChunks(file));
  const written = await stampOf(path);
  if (written === null) throw new Error(`schedule store file '${path}' vanished right after it was written`);
  return written;
}

const CHUNK_ENTRIES = 2000;

/** The file's text in pieces; the caller must not change `file` while it iterates. */
function* storeFileChunks(file: StoreFile): Generator<string> {
  const digest = file.staticDigest === null ? '' : `"staticDigest":${JSON.stringify(file.staticDigest)},`;
  yield `{"version":${file.version},${digest}"schedules":{\n`;
  let separator = '';
  for (const chunk of chunked(file.schedules, CHUNK_ENTRIES)) {
    yield separator + chunk.map(([name, entry]) => `${JSON.stringify(name)}:${JSON.stringify(entry)}`).join(',\n');
    separator = ',\n';
  }
  yield '\n}}\n';
}

function* chunked<T>(items: Iterable<T>, size: number): Generator<T[]> {
  let chunk: T[] = [];
  for (const item of items) {
    chunk.push(item);
    if (chunk.length < size) continue;
    yield chunk;
    chunk = [];
  }
  if (chunk.length > 0) yield chunk;
}

/**
 * Temp file in the same directory (so rename is atomic), fsync, rename, fsync the directory.
 * `text` may come in pieces, written one after the other.
 */
export async function writeAtomic(path: string, text: string | Iterable<string>): Promise<void> {
  const directory = dirname(path);
  await mkdir(directory, { recursive: true });
  const temp = `${path}.${process.pid}.${randomUUID()}.tmp`;
  try {
    const handle = await open(temp, 'w');
    try {
      for (const piece of typeof text === 'string' ? [text] : text) await handle.write(piece);
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
export async function syncDirectory(directory: string): Promise<void> {
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
