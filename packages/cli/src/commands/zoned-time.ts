/**
 * A time as a clock in an IANA zone shows it, with the offset in force then:
 * `2025-03-30T03:00:00+02:00`. The offset is what makes DST visible in `schedule preview`:
 * the same wall-clock hour with a different offset is a different instant.
 */
const formats = new Map<string, Intl.DateTimeFormat>();

export function zonedIso(at: Date, timeZone: string): string {
  const parts = Object.fromEntries(
    formatFor(timeZone)
      .formatToParts(at)
      .map((part) => [part.type, part.value]),
  );
  const hour = parts.hour === '24' ? '00' : parts.hour;
  return `${parts.year}-${parts.month}-${parts.day}T${hour}:${parts.minute}:${parts.second}${offset(parts.timeZoneName)}`;
}

function formatFor(timeZone: string): Intl.DateTimeFormat {
  let format = formats.get(timeZone);
  if (!format) {
    const fields = {
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    } as const;
    format = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', timeZoneName: 'longOffset', ...fields });
    formats.set(timeZone, format);
  }
  return format;
}

/** `GMT+02:00` → `+02:00`; plain `GMT` (UTC itself) → `Z`. */
function offset(name: string | undefined): string {
  const match = /^GMT([+-]\d{2}:\d{2})$/.exec(name ?? '');
  return match?.[1] ?? 'Z';
}
