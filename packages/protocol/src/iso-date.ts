/**
 * Dates as Celery puts them in `eta` and `expires` headers.
 *
 * A 5.2 worker parses the fraction digits literally as microseconds, so JavaScript's
 * `toISOString()` (`.123Z`) would be read as 123 µs. We always write six digits and `+00:00`.
 */
const ISO_PATTERN = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?(Z|[+-]\d{2}:?\d{2})?$/;

export function formatCeleryDate(date: Date): string {
  const iso = date.toISOString(); // YYYY-MM-DDTHH:MM:SS.mmmZ
  return `${iso.slice(0, 23)}000+00:00`;
}

/** Parses the ISO-8601 forms Celery accepts; naive times are UTC. Returns null when invalid. */
export function parseCeleryDate(text: string): Date | null {
  const match = ISO_PATTERN.exec(text.trim());
  if (!match) return null;
  const [, y, mo, d, h, mi, s = '0', frac = '', zone] = match;
  const fields = [y, mo, d, h, mi, s].map(Number) as [number, number, number, number, number, number];
  const utc = utcTime(fields, Math.floor(Number(frac.padEnd(6, '0')) / 1000));
  if (utc === null || !validZone(zone)) return null;
  const date = new Date(utc - zoneOffsetMs(zone));
  return Number.isNaN(date.getTime()) ? null : date;
}

/** Epoch ms of calendar fields, or null for ones Python's datetime refuses (month 13, Feb 30, 24:00). */
function utcTime(
  [year, month, day, hour, minute, second]: [number, number, number, number, number, number],
  millis: number,
): number | null {
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day); // unlike Date.UTC, keeps years 0-99 as they are
  date.setUTCHours(hour, minute, second, millis);
  const roundTrips =
    date.getUTCMonth() === month - 1 &&
    date.getUTCDate() === day &&
    date.getUTCHours() === hour &&
    date.getUTCMinutes() === minute &&
    date.getUTCSeconds() === second;
  return roundTrips ? date.getTime() : null;
}

function validZone(zone: string | undefined): boolean {
  const digits = zone && zone !== 'Z' ? zone.slice(1).replace(':', '') : '0000';
  return Number(digits.slice(0, 2)) < 24 && Number(digits.slice(2, 4)) < 60;
}

function zoneOffsetMs(zone: string | undefined): number {
  if (!zone || zone === 'Z') return 0;
  const sign = zone.startsWith('-') ? -1 : 1;
  const digits = zone.slice(1).replace(':', '');
  return sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4))) * 60_000;
}
