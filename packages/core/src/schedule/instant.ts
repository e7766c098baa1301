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
