import { InvalidArgumentError } from '../errors.js';

/** Date and time with an explicit zone: a string without one would be read in each host's zone. */
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/i;

/** A Date or an ISO 8601 string as a valid Date; `what` names the field in the error. */
export function parseInstant(value: unknown, what: string): Date {
  const date =
    value instanceof Date
      ? new Date(value.getTime())
      : typeof value === 'string' && ISO_INSTANT.test(value)
        ? new Date(value)
        : null;
  if (date === null || Number.isNaN(date.getTime())) {
    throw new InvalidArgumentError(
      `invalid ${what} ${describe(value)}: expected a Date or an ISO 8601 date and time with a zone, such as '2030-01-31T09:00:00Z' or '2030-01-31T10:00:00+01:00'`,
    );
  }
  return date;
}

/**
 * `value` (a Date or an ISO 8601 string) as toISOString writes it. A string already in that form
 * is its own answer: a schedule file's 50,000 interval anchors each made a Date and a new string
 * for nothing, a sixth of compiling it.
 */
export function isoInstant(value: unknown, what: string): string {
  return typeof value === 'string' && isCanonical(value) ? value : parseInstant(value, what).toISOString();
}

const CANONICAL = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})\.\d{3}Z$/;

/**
 * Written as toISOString would write it: that shape, and a day and time that exist (Date.parse
 * reads Feb 30 as Mar 2, and 24:00 as the next day). Two-digit fields compare as strings.
 */
function isCanonical(value: string): boolean {
  const [, year = '', month = '', day = '', hour = '', minute = '', second = ''] = CANONICAL.exec(value) ?? [];
  if (year === '' || month < '01' || month > '12' || day < '01') return false;
  return Number(day) <= daysIn(Number(year), Number(month)) && hour <= '23' && minute <= '59' && second <= '59';
}

function daysIn(year: number, month: number): number {
  if (month !== 2) return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
  return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
}

function describe(value: unknown): string {
  return value instanceof Date ? 'Invalid Date' : (JSON.stringify(value) ?? String(value));
}

/**
 * `instant` as toISOString writes it, through a memo of the last few instants. A fire writes its
 * slot in ISO 8601 four times (its task id, the loop's entry, the store's record, the log line)
 * and the time of its record once, and the fires of one wake-up share both instants: each
 * toISOString was a new string for the GC and about a microsecond of the fire.
 * An invalid date throws toISOString's RangeError, as before.
 */
export function isoString(instant: Date | number): string {
  const ms = typeof instant === 'number' ? instant : instant.getTime();
  for (let i = 0; i < ISO_MEMO; i++) if (memoMs[i] === ms) return memoIso[i] as string;
  const iso = new Date(ms).toISOString();
  memoMs[memoNext] = ms;
  memoIso[memoNext] = iso;
  memoNext = (memoNext + 1) % ISO_MEMO;
  return iso;
}

const ISO_MEMO = 4;
/** NaN never equals anything, so an empty slot (and an invalid date) is never a hit. */
const memoMs = new Float64Array(ISO_MEMO).fill(NaN);
const memoIso: string[] = new Array<string>(ISO_MEMO).fill('');
let memoNext = 0;
