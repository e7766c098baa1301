/**
 * Next fires of a schedule as the page shows them: each slot as UTC and as wall time in the
 * schedule's zone, with the zone's UTC offset, and whether the local day of the slot is a DST
 * change day there (its offset at the start of the day differs from the next day's). The slot
 * maths is @celeriac/core's; this only presents it.
 */
import { nextSlot, previewSlots, type NormalizedSpec, type ScheduleSpec } from '@celeriac/core';

export interface PreviewSlot {
  utc: string;
  /** `2026-03-29 03:30`, wall time in the zone. */
  local: string;
  /** `GMT+02:00`. */
  offset: string;
  /** The local day of this slot has a DST change in the zone. */
  dstChange: boolean;
}

const DAY_MS = 86_400_000;

export function preview(spec: ScheduleSpec, from: Date, count: number): PreviewSlot[] {
  const zone = spec.kind === 'cron' ? (spec.timezone ?? 'UTC') : 'UTC';
  return previewSlots(spec, from, count).map((slot) => presented(slot, zone));
}

/** When a stored schedule fires next, after its last slot (or now, if it never fired). */
export function nextFire(spec: NormalizedSpec, lastSlot: string | null, now: Date): string | null {
  const after = lastSlot !== null && Date.parse(lastSlot) > now.getTime() ? new Date(lastSlot) : now;
  return nextSlot(spec, after)?.toISOString() ?? null;
}

export function presented(slot: Date, zone: string): PreviewSlot {
  const parts = zonedParts(slot, zone);
  return {
    utc: slot.toISOString(),
    local: `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}`,
    offset: parts.timeZoneName ?? 'GMT',
    dstChange: changesOn(dayStart(slot, zone), zone),
  };
}

function zonedParts(at: Date | number, zone: string): Record<string, string | undefined> {
  const format = new Intl.DateTimeFormat('en-CA', {
    timeZone: zone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
    timeZoneName: 'longOffset',
  });
  return Object.fromEntries(format.formatToParts(at).map((part) => [part.type, part.value]));
}

/** The offset at the day's first minute differs from its last one's. */
function changesOn(start: number, zone: string): boolean {
  return offsetAt(start, zone) !== offsetAt(start + DAY_MS - 60_000, zone);
}

function offsetAt(at: number, zone: string): string {
  return zonedParts(at, zone).timeZoneName ?? 'GMT';
}

/**
 * Local midnight of the slot's day, estimated with the slot's own offset. On a change day the
 * estimate is off by the change, but the minute 24 h minus one later still has the other offset.
 */
function dayStart(slot: Date, zone: string): number {
  const parts = zonedParts(slot, zone);
  const localMidnightAsUtc = Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day));
  return localMidnightAsUtc - offsetMs(parts.timeZoneName ?? 'GMT');
}

function offsetMs(name: string): number {
  const match = /GMT([+-])(\d{2}):(\d{2})/.exec(name);
  if (!match) return 0;
  const minutes = Number(match[2]) * 60 + Number(match[3]);
  return (match[1] === '-' ? -1 : 1) * minutes * 60_000;
}
