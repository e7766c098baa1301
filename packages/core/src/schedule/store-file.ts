/**
 * The embedded store's file on disk, parsed strictly and written atomically. Version 2: a header
 * line `{"version":2,"planner":…,"count":N,"staticDigest"?:…}`, then N lines, one per schedule
 * (store-lines.ts), whose entry is parsed only when asked for (schedule-table.ts). Version 1, one JSON object
 * `{version: 1, staticDigest?, schedules: {name: entry}}`, is still read, and written as version 2
 * at the next write. The FileScheduleStore decides when; this module knows how.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, open, rename, unlink, type FileHandle } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { isCode } from './file-lock.js';
import { ScheduleTable } from './schedule-table.js';
import { shareParsedParts } from './shared-parts.js';
import { corruptFile, decodeHead, isEntry, isRecord, jsonOrNull } from './store-lines.js';

export const FILE_STORE_VERSION = 2;

/**
 * What computed each line's `next`: Celeriac's schedule maths (the number, bumped when a release
 * changes which slot comes next), cron-parser's and the time zone rules'. A file planned by
 * others has its `next` ignored.
 */
export const PLANNER = `1;cron-parser=${cronParserVersion()};tz=${process.versions.tz ?? 'unknown'}`;

/** 'unknown' where its package.json cannot be read (a bundle): such files then trust only each other. */
function cronParserVersion(): string {
  try {
    const { version } = createRequire(import.meta.url)('cron-parser/package.json') as { version?: unknown };
    return typeof version === 'string' ? version : 'unknown';
  } catch {
    return 'unknown';
  }
}

export interface StoreFile {
  version: typeof FILE_STORE_VERSION;
  schedules: ScheduleTable;
  /** See ScheduleStore.staticDigest; written only when set. */
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
  return { version: FILE_STORE_VERSION, schedules: new ScheduleTable(), staticDigest: null };
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
    return { file: parseStoreFile(path, await handle.readFile()), stamp: stamp(stats) };
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
export function parseStoreFile(path: string, bytes: Buffer): StoreFile {
  const corrupt = corruptFile(path);
  const headerEnd = endOfLine(bytes, 0);
  const header = jsonOrNull(bytes.toString('utf8', 0, headerEnd));
  if (isRecord(header) && header.version === FILE_STORE_VERSION) return parseLines(bytes, header, corrupt);
  if (isRecord(header) && header.version !== 1)
    throw corrupt(`unsupported version ${JSON.stringify(header.version)} (expected 1 or ${FILE_STORE_VERSION})`);
  return parseVersion1(bytes.toString('utf8'), corrupt);
}

/** Every line's head read now, its entry kept as bytes of `bytes` until asked for (schedule-table.ts). */
function parseLines(bytes: Buffer, header: Record<string, unknown>, corrupt: (reason: string) => Error): StoreFile {
  const { staticDigest = null, planner, count } = header;
  const unknown = Object.keys(header).find((key) => !HEADER_KEYS.has(key));
  if (unknown !== undefined) throw corrupt(`the header has an unknown key '${unknown}'`);
  if (typeof planner !== 'string') throw corrupt("the header's 'planner' is not a string");
  if (!Number.isSafeInteger(count)) throw corrupt("the header's 'count' is not a number of schedules");
  if (staticDigest !== null && typeof staticDigest !== 'string') throw corrupt("'staticDigest' is not a string");
  const schedules = new ScheduleTable(corrupt);
  let number = 1;
  for (let start = endOfLine(bytes, 0) + 1; start < bytes.length;) {
    const end = endOfLine(bytes, start);
    const head = decodeHead(bytes, start, end);
    number += 1;
    if (!head) throw corrupt(`line ${number} is not a schedule [next,"name",{entry}]: ${excerpt(bytes, start, end)}`);
    if (schedules.has(head.name)) throw corrupt(`schedule '${head.name}' appears twice (line ${number})`);
    schedules.addLine(head, bytes, start, end, planner === PLANNER);
    start = end + 1;
  }
  // Every write is atomic and ends with a new line: anything else is a file cut short by something else.
  if (number - 1 !== count) throw corrupt(`the header counts ${String(count)} schedules, the file has ${number - 1}`);
  if (bytes[bytes.length - 1] !== 0x0a) throw corrupt('its last line is cut short (no new line after it)');
  return { version: FILE_STORE_VERSION, schedules, staticDigest };
}

const HEADER_KEYS = new Set(['version', 'planner', 'count', 'staticDigest']);

function excerpt(bytes: Buffer, start: number, end: number): string {
  return JSON.stringify(bytes.toString('utf8', start, Math.min(end, start + 80)));
}

/** The index of the new line that ends the line starting at `start`, or the end of `bytes`. */
function endOfLine(bytes: Buffer, start: number): number {
  const end = bytes.indexOf(0x0a, start);
  return end < 0 ? bytes.length : end;
}

function parseVersion1(text: string, corrupt: (reason: string) => Error): StoreFile {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw corrupt(`not valid JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  if (!isRecord(data)) throw corrupt('expected an object {version: 1, schedules: {...}}');
  if (data.version !== 1)
    throw corrupt(`unsupported version ${JSON.stringify(data.version)} (expected 1 or ${FILE_STORE_VERSION})`);
  if (!isRecord(data.schedules)) throw corrupt("'schedules' is not an object");
  if (data.staticDigest !== undefined && typeof data.staticDigest !== 'string')
    throw corrupt("'staticDigest' is not a string");
  const stored = data.schedules;
  const schedules = new ScheduleTable();
  const texts = new Map<string, string>();
  // Keys, then a lookup each: Object.entries of 100,000 names built as many pairs (~90 ms).
  for (const name of Object.keys(stored)) {
    const entry = stored[name];
    if (!isEntry(entry) || entry.name !== name) throw corrupt(`schedule '${name}' is not a valid entry`);
    schedules.set(name, shareParsedParts(entry, texts));
  }
  return { version: FILE_STORE_VERSION, schedules, staticDigest: data.staticDigest ?? null };
}

/**
 * Writes the file atomically and durably; resolves with the stamp of the version written. Written
 * in chunks of about CHUNK_BYTES: the whole text at once was 30 MB of string and as much again
 * of buffer at the peak of a beat's memory, and half a second in which it could not fire.
 */
export async function writeStoreFile(path: string, file: StoreFile): Promise<Stamp> {
  await writeAtomic(path, storeFileChunks(file));
  const written = await stampOf(path);
  if (written === null) throw new Error(`schedule store file '${path}' vanished right after it was written`);
  return written;
}

/**
 * 256 KB, about 2 ms of encoding: a beat leading from a merge still being written (start-merge.ts)
 * gets the event loop back between chunks; with 1 MB its first fire came 30-50 ms later.
 */
const CHUNK_BYTES = 1 << 18;
/** A first chunk's room per schedule: a small store's write takes a small buffer, not a whole chunk. */
const ROOM_PER_LINE = 512;

/**
 * The file's bytes in chunks of about CHUNK_BYTES, each line written straight into its chunk;
 * the caller must not change `file` while it iterates (reading an entry meanwhile may replace its
 * slot with the parsed form, which is written the same). Lines joined into a string per chunk, then
 * encoded by the write, copied every line twice more: a tenth of a first start's merge.
 */
function* storeFileChunks(file: StoreFile): Generator<Buffer> {
  const digest = file.staticDigest === null ? '' : `,"staticDigest":${JSON.stringify(file.staticDigest)}`;
  const { size } = file.schedules;
  const header = `{"version":${file.version},"planner":${JSON.stringify(PLANNER)},"count":${size}${digest}}\n`;
  let chunk = Buffer.allocUnsafe(header.length * 3 + Math.min(CHUNK_BYTES, size * ROOM_PER_LINE));
  let used = chunk.write(header);
  for (const line of file.schedules.lines()) {
    // A UTF-16 code unit is at most 3 bytes of UTF-8, and the new line 1.
    const most = line.length * 3 + 1;
    if (used + most > chunk.length) {
      yield chunk.subarray(0, used);
      chunk = Buffer.allocUnsafe(Math.max(CHUNK_BYTES, most));
      used = 0;
    }
    used += chunk.write(line, used);
    used = chunk.writeUInt8(NEW_LINE, used);
  }
  yield chunk.subarray(0, used);
}

const NEW_LINE = 0x0a;

/**
 * Temp file in the same directory (so rename is atomic), fsync, rename, fsync the directory.
 * `text` may come in pieces, written one after the other.
 */
export async function writeAtomic(path: string, text: string | Iterable<string | Buffer>): Promise<void> {
  const directory = dirname(path);
  await mkdir(directory, { recursive: true });
  const temp = `${path}.${process.pid}.${randomUUID()}.tmp`;
  try {
    const handle = await open(temp, 'w');
    try {
      // A handle's writeFile writes all of a piece at the current position, however many write(2) it takes.
      for (const piece of typeof text === 'string' ? [text] : text) await handle.writeFile(piece);
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
