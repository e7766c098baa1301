/**
 * IANA time zones through Intl (the engine's tz database). cron-parser accepts any string as a
 * zone and only fails at the first next(), so zones are checked here, when a schedule is added.
 */
import { InvalidArgumentError } from '../errors.js';

const offsetFormats = new Map<string, Intl.DateTimeFormat>();
/**
 * Zone names as given → canonical spelling. Building an Intl.DateTimeFormat costs ~50 µs: with
 * 100,000 cron schedules in ten zones it was a tenth of a beat's start-up. Only known zones are
 * kept, and few exist, so the map stays small.
 */
const canonicalZones = new Map<string, string>();
const ZONE_CACHE_LIMIT = 2000;

/** The canonical spelling of an IANA zone ('europe/berlin' → 'Europe/Berlin'); throws if unknown. */
export function normalizeTimeZone(zone: unknown): string {
  if (typeof zone !== 'string' || zone.trim() === '') {
    throw new InvalidArgumentError(
      `invalid time zone ${JSON.stringify(zone)}: expected an IANA zone name such as 'Europe/Berlin'`,
    );
  }
  const known = canonicalZones.get(zone);
  if (known !== undefined) return known;
  try {
    const canonical = new Intl.DateTimeFormat('en-US', { timeZone: zone }).resolvedOptions().timeZone;
    if (canonicalZones.size < ZONE_CACHE_LIMIT) canonicalZones.set(zone, canonical);
    return canonical;
  } catch {
    throw new InvalidArgumentError(
      `unknown time zone '${zone}': expected an IANA zone name such as 'Europe/Berlin' or 'UTC'`,
    );
  }
}

/** Minutes east of UTC in `zone` at `instant` (+60 for Berlin in winter, -300 for New York). */
export function offsetMinutes(zone: string, instant: number): number {
  const label =
    offsetFormat(zone)
      .formatToParts(instant)
      .find((part) => part.type === 'timeZoneName')?.value ?? 'GMT';
  const match = /^GMT([+-])(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(label);
  if (!match) return 0; // 'GMT' alone means offset zero
  const minutes = Number(match[2]) * 60 + Number(match[3]) + Number(match[4] ?? 0) / 60;
  return match[1] === '-' ? -minutes : minutes;
}

function offsetFormat(zone: string): Intl.DateTimeFormat {
  let format = offsetFormats.get(zone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'longOffset' });
    offsetFormats.set(zone, format);
  }
  return format;
}
