/**
 * The file store's journal of fires: `<file>.journal`, one line per recorded slot,
 * `["name","slot ISO","updatedAt ISO"]`, appended and fsynced under the store's lock.
 *
 * Why: the store file of 100,000 schedules is tens of MB, and rewriting it for every group of
 * fires cost about half a second of CPU each time: in a second when 25,000 schedules fell due it
 * was the store's whole cost, and it kept a 2-core machine busy between bursts. A journal line is
 * about 100 bytes. The next full write of the file (an edit, close(), or the journal outgrowing
 * the file) folds the journal in and removes it. Replaying a line is idempotent — a slot not
 * later than the entry's lastSlot is skipped — so a crash between writing the file and removing
 * the journal, or a reader that reads a line twice, changes nothing.
 */
import { open, unlink, type FileHandle } from 'node:fs/promises';
import { isCode } from './file-lock.js';
import { openIfExists, syncDirectory } from './store-file.js';
import { corruptFile, jsonOrNull } from './store-lines.js';
import { dirname } from 'node:path';
import type { FireLine } from './store-records.js';

export type { FireLine };

/** How far a reader got: the journal's inode and the bytes of whole lines consumed. */
export interface JournalPosition {
  ino: bigint | null;
  offset: number;
}

export interface JournalTail {
  lines: FireLine[];
  position: JournalPosition;
  /** Bytes after the last whole line: a crashed writer's torn append, cut before the next. */
  torn: boolean;
}

export const JOURNAL_START: JournalPosition = Object.freeze({ ino: null, offset: 0 });

export function journalPath(storePath: string): string {
  return `${storePath}.journal`;
}

/** The whole lines appended since `from` (all of them if the journal is a new file). */
export async function readJournal(path: string, from: JournalPosition): Promise<JournalTail> {
  const handle = await openIfExists(path);
  if (!handle) return { lines: [], position: JOURNAL_START, torn: false };
  try {
    const { ino, size } = await handle.stat({ bigint: true });
    const start = ino === from.ino && Number(size) >= from.offset ? from.offset : 0;
    const bytes = await readFrom(handle, start, Number(size) - start);
    const whole = bytes.lastIndexOf(0x0a) + 1;
    const lines = parseLines(path, bytes.subarray(0, whole).toString('utf8'));
    return { lines, position: { ino, offset: start + whole }, torn: whole < bytes.length };
  } finally {
    await handle.close();
  }
}

async function readFrom(handle: FileHandle, start: number, length: number): Promise<Buffer> {
  const buffer = Buffer.allocUnsafe(Math.max(0, length));
  let done = 0;
  while (done < length) {
    const { bytesRead } = await handle.read(buffer, done, length - done, start + done);
    if (bytesRead === 0) break;
    done += bytesRead;
  }
  return buffer.subarray(0, done);
}

function parseLines(path: string, text: string): FireLine[] {
  if (text === '') return [];
  return text
    .slice(0, -1)
    .split('\n')
    .map((line) => parseLine(path, line));
}

function parseLine(path: string, line: string): FireLine {
  const value = jsonOrNull(line);
  const valid =
    Array.isArray(value) &&
    value.length === 3 &&
    value.every((part) => typeof part === 'string') &&
    !Number.isNaN(Date.parse(value[1] as string)) &&
    !Number.isNaN(Date.parse(value[2] as string));
  if (!valid) throw corruptFile(path, 'journal')(`${JSON.stringify(line.slice(0, 80))} is not a fire record`);
  const [name, slot, updatedAt] = value as [string, string, string];
  return { name, slot, updatedAt };
}

/**
 * Appends `lines` durably after the whole lines at `at` (a torn tail beyond it is cut first: the
 * caller holds the lock, so nobody else is writing). Resolves with the position after them.
 */
export async function appendJournal(
  path: string,
  at: JournalPosition,
  lines: readonly FireLine[],
): Promise<JournalPosition> {
  const text = lines.map((line) => `${JSON.stringify([line.name, line.slot, line.updatedAt])}\n`).join('');
  const handle = await open(path, 'a');
  try {
    const { ino, size } = await handle.stat({ bigint: true });
    // Another inode than the one read (never under the lock): append after all of it, cut nothing.
    const offset = ino === at.ino ? at.offset : Number(size);
    if (Number(size) > offset) await handle.truncate(offset);
    await handle.writeFile(text);
    await handle.sync();
    // A journal created just now must survive a crash as a directory entry too.
    if (offset === 0) await syncDirectory(dirname(path));
    return { ino, offset: offset + Buffer.byteLength(text) };
  } finally {
    await handle.close();
  }
}

export async function removeJournal(path: string): Promise<void> {
  await unlink(path).catch((error: unknown) => {
    if (!isCode(error, 'ENOENT')) throw error;
  });
}
