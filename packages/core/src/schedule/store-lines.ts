/**
 * One schedule per line of the store file (version 2): `[next,"name",{entry}]`, where `next` is
 * when the entry was first due as written (firstDueMs; null: never). A restart reads the name
 * and `next` of every line by scanning its head, builds the beat's heap from them, and parses an
 * entry only when it is asked for: parsing 100,000 entries was most of a restart's second.
 */
import { ConfigurationError } from '../errors.js';
import { shareParsedParts } from './shared-parts.js';
import type { ScheduleEntry } from '@celeriac/protocol';

/** A line's head: what a restart needs without parsing the entry. */
export interface LineHead {
  name: string;
  next: number | null;
}

export function encodeLine(name: string, next: number | null, entry: ScheduleEntry): string {
  return `[${next === null ? 'null' : next},${JSON.stringify(name)},${JSON.stringify(entry)}]`;
}

/**
 * The head of the line in `bytes` from `start` to `end` (exclusive) as encodeLine writes it, or
 * null when the line is not of that shape. Works on the file's bytes, not a string of them: the
 * file's text as one string was as large again as the file, held for as long as any line was.
 * The bytes looked for (, " \\) never occur inside a multi-byte UTF-8 character.
 */
export function decodeHead(bytes: Buffer, start: number, end: number): LineHead | null {
  const comma = bytes.indexOf(COMMA, start);
  if (bytes[start] !== BRACKET || comma < start + 2 || comma >= end || bytes[comma + 1] !== QUOTE) return null;
  const nextText = bytes.toString('latin1', start + 1, comma);
  const next = nextText === 'null' ? null : Number(nextText);
  if (next !== null && !Number.isSafeInteger(next)) return null;
  const close = closingQuote(bytes, comma + 2, end);
  if (close < 0 || bytes[close + 1] !== COMMA || bytes[close + 2] !== BRACE) return null;
  const name = hasByte(bytes, BACKSLASH, comma + 2, close)
    ? escapedName(bytes.toString('utf8', comma + 1, close + 1))
    : bytes.toString('utf8', comma + 2, close);
  return name === null ? null : { name, next };
}

/** A name JSON escaped, or null when the escapes are not JSON's. */
function escapedName(quoted: string): string | null {
  const name = jsonOrNull(quoted);
  return typeof name === 'string' ? name : null;
}

/** The JSON value of `text`, or null when it is not JSON: for readers that say themselves what is wrong. */
export function jsonOrNull(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/** Whether `byte` is in bytes[start, end): indexOf would search the rest of the file. */
function hasByte(bytes: Buffer, byte: number, start: number, end: number): boolean {
  for (let at = start; at < end; at++) if (bytes[at] === byte) return true;
  return false;
}

const [BRACKET, BRACE, COMMA, QUOTE, BACKSLASH] = [0x5b, 0x7b, 0x2c, 0x22, 0x5c];

/** The index of the quote that ends a JSON string whose text starts at `from`, or -1. */
function closingQuote(bytes: Buffer, from: number, end: number): number {
  for (let at = bytes.indexOf(QUOTE, from); at >= 0 && at < end; at = bytes.indexOf(QUOTE, at + 1)) {
    let backslashes = 0;
    while (bytes[at - 1 - backslashes] === BACKSLASH) backslashes += 1;
    if (backslashes % 2 === 0) return at;
  }
  return -1;
}

/**
 * The entry of a line whose head decoded as `name`, checked; `corrupt` makes the error. `texts`
 * shares equal task names and stamps between the entries of one file (shareParsedParts).
 */
export function decodeEntry(
  line: string,
  name: string,
  corrupt: (reason: string) => Error,
  texts: Map<string, string>,
): ScheduleEntry {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (error) {
    throw corrupt(`the line of schedule '${name}' is not valid JSON (${messageOf(error)})`);
  }
  const entry = Array.isArray(value) && value.length === 3 ? (value[2] as unknown) : null;
  if (!isEntry(entry) || entry.name !== name) throw corrupt(`schedule '${name}' is not a valid entry`);
  return shareParsedParts(entry, texts);
}

export function isEntry(value: unknown): value is ScheduleEntry {
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

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The error for a corrupt store file (or its journal): what is wrong, and that nothing was reset. */
export function corruptFile(path: string, what: 'file' | 'journal' = 'file'): (reason: string) => ConfigurationError {
  return (reason) =>
    new ConfigurationError(
      `schedule store ${what} '${path}' is corrupt: ${reason}. Fix or remove it; Celeriac never resets it on its own`,
    );
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
