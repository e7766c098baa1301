/**
 * Where the sites are: each site's IANA time zone. A daily inspection runs at 07:00 in the
 * site's own zone, so it follows that zone's daylight-saving changes, not the server's.
 */
export const SITE_ZONES: Readonly<Record<string, string>> = {
  'north-yard': 'Europe/Warsaw',
  harbour: 'America/Chicago',
  'substation-12': 'Australia/Sydney',
  'depot-7': 'Europe/London',
};

export function siteZone(siteId: string): string {
  return SITE_ZONES[siteId] ?? 'UTC';
}

/** `2025-03-30 07:00:00 Europe/Warsaw`: a time as read on a clock at the site. */
export function localTime(at: Date, timezone: string): string {
  const format = new Intl.DateTimeFormat('sv-SE', { timeZone: timezone, dateStyle: 'short', timeStyle: 'medium' });
  return `${format.format(at)} ${timezone}`;
}
