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

/** The head of a line as encodeLine writes it, or null when the line is not of that shape. */
export function decodeHead(line: string): LineHead | null {
  const comma = line.indexOf(',');
  if (line.charCodeAt(0) !== 0x5b || comma < 2 || line.charCodeAt(comma + 1) !== 0x22) return null;
  const nextText = line.slice(1, comma);
  const next = nextText === 'null' ? null : Number(nextText);
  if (next !== null && !Number.isSafeInteger(next)) return null;
  const end = closingQuote(line, comma + 2);
  if (end < 0 || line.charCodeAt(end + 1) !== 0x2c || line.charCodeAt(end + 2) !== 0x7b) return null;
  const quoted = line.slice(comma + 1, end + 1);
  return { name: quoted.includes('\\') ? (JSON.parse(quoted) as string) : quoted.slice(1, -1), next };
}

/** The index of the quote that ends a JSON string whose text starts at `from`, or -1. */
function closingQuote(line: string, from: number): number {
  for (let at = line.indexOf('"', from); at >= 0; at = line.indexOf('"', at + 1)) {
    let backslashes = 0;
    while (line.charCodeAt(at - 1 - backslashes) === 0x5c) backslashes += 1;
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

export function corruptFile(path: string): (reason: string) => ConfigurationError {
  return (reason) =>
    new ConfigurationError(
      `schedule store file '${path}' is corrupt: ${reason}. Fix or remove it; Celeriac never resets it on its own`,
    );
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
