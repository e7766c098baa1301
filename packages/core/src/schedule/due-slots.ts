/**
 * Which slots of a schedule are due at `now`, under its missed-run policy. Pure and bounded:
 * intervals by arithmetic, cron by windows that grow back from `now` (see latestCronSlots), so a
 * one-second schedule after a year of downtime costs a handful of steps, not 31 million.
 */
import { ConfigurationError } from '../errors.js';
import { nextSlotMs, storedEvery, unknownKind } from './spec.js';
import type { NormalizedSpec, ScheduleEntry } from '@celeriac/protocol';

/** A slot counts as on time (policy `skip`) when it is at most this old. */
export const ON_TIME_MS = 1000;
/** Most cron slots one window may hold beyond the wanted count before it is narrowed. */
export const CRON_SCAN_LIMIT = 10_000;

export interface DueSlots {
  /** Slots to fire now, oldest first. */
  fire: Date[];
  /** The first slot after `now` (and after the last fired slot), or null: none or disabled. */
  next: Date | null;
}

/**
 * Slots s with boundary < s ≤ now, where boundary is the last fired slot, or for a schedule that
 * never fired its createdAt (so a new cron or interval schedule does not fire a slot from before
 * it existed; a new interval's default anchor is its creation time, so it first fires one
 * period later, as in Celery). A `once` schedule that never fired has no boundary: a date that
 * passed while beat was down is a missed run like any other. Then the policy: `skip` keeps only
 * an on-time slot, `once` the latest, `all` the latest `maxCatchUp`.
 */
export function dueSlots(entry: ScheduleEntry, now: Date): DueSlots {
  if (!entry.enabled) return { fire: [], next: null };
  const nowMs = now.getTime();
  const last = entry.lastSlot === null ? null : storedTime(entry, 'lastSlot', entry.lastSlot);
  const boundary =
    last ?? (entry.schedule.kind === 'once' ? -Infinity : storedTime(entry, 'createdAt', entry.createdAt));
  const fire = boundary < nowMs ? pickDue(entry, boundary, nowMs) : [];
  const next = computed(entry, nextSlotMs(entry.schedule, Math.max(nowMs, last ?? -Infinity)));
  return { fire: fire.map((slot) => new Date(slot)), next: next === null ? null : new Date(next) };
}

/**
 * When `entry` is first due: the first slot after the last one fired, or after its creation (a
 * one-off that never fired: its date, even a past one), with dueSlots' boundaries; null when it
 * is disabled or has no slot left. Possibly in the past: a beat then fires it at once under its
 * missed-run policy. Throws what the schedule maths throws for a spec it cannot compute.
 */
export function firstDueMs(entry: ScheduleEntry): number | null {
  if (!entry.enabled) return null;
  if (entry.lastSlot === null && entry.schedule.kind === 'once') return storedTime(entry, 'at', entry.schedule.at);
  const after = entry.lastSlot ?? entry.createdAt;
  return computed(
    entry,
    nextSlotMs(entry.schedule, storedTime(entry, entry.lastSlot ? 'lastSlot' : 'createdAt', after)),
  );
}

/**
 * A time an entry holds, or an error that names it: a store edited by hand may hold anything, and
 * NaN in a beat's heap would break its order for every schedule.
 */
function storedTime(entry: ScheduleEntry, what: string, text: string): number {
  const ms = Date.parse(text);
  if (Number.isNaN(ms))
    throw new ConfigurationError(`schedule '${entry.name}' is stored with ${what} ${JSON.stringify(text)}, not a time`);
  return ms;
}

/** A slot the maths computed from the entry's own times (an interval's anchor): NaN is one of them unparsable. */
function computed(entry: ScheduleEntry, slot: number | null): number | null {
  if (slot === null || (typeof slot === 'number' && !Number.isNaN(slot))) return slot;
  throw new ConfigurationError(`schedule '${entry.name}' is stored with a schedule whose times do not parse`);
}

function pickDue(entry: ScheduleEntry, boundary: number, now: number): number[] {
  const wanted = entry.missedRuns === 'all' ? entry.maxCatchUp : 1;
  const slots = latestSlots(entry.schedule, boundary, now, wanted);
  return entry.missedRuns === 'skip' ? slots.filter((slot) => slot > now - ON_TIME_MS) : slots;
}

/** Up to `count` of the latest slots in (boundary, now], oldest first. */
export function latestSlots(spec: NormalizedSpec, boundary: number, now: number, count: number): number[] {
  switch (spec.kind) {
    case 'interval':
      return latestIntervalSlots(Date.parse(spec.anchor), storedEvery(spec), boundary, now, count);
    case 'once': {
      const at = Date.parse(spec.at);
      return at > boundary && at <= now ? [at] : [];
    }
    case 'cron':
      return latestCronSlots(spec, boundary, now, count);
    default:
      throw unknownKind(spec);
  }
}

function latestIntervalSlots(anchor: number, every: number, boundary: number, now: number, count: number): number[] {
  if (now < anchor) return [];
  const last = Math.floor((now - anchor) / every);
  const first = boundary < anchor ? 0 : Math.floor((boundary - anchor) / every) + 1;
  const slots: number[] = [];
  for (let k = Math.max(first, last - count + 1); k <= last; k++) slots.push(anchor + k * every);
  return slots;
}

interface Window {
  slots: number[];
  found: number;
  /** False when the window held more than `count` + CRON_SCAN_LIMIT slots (iteration stopped). */
  complete: boolean;
}

/**
 * Cron slots are found with next() only (cron-parser's prev() skips DST gap days). Windows
 * (now - width, now] grow ×4 from one second until one holds `count` slots or reaches the
 * boundary. A window too dense to scan (a burst of more than `count` + CRON_SCAN_LIMIT slots
 * after a quiet stretch) is narrowed by bisection, so the work stays within about
 * 40 × (count + CRON_SCAN_LIMIT) next() calls even in that case.
 */
function latestCronSlots(spec: NormalizedSpec, boundary: number, now: number, count: number): number[] {
  for (let width = 1000; ; width *= 4) {
    const window = scan(spec, Math.max(boundary, now - width), now, count);
    if (!window.complete) return narrow(spec, boundary, now, width / 4, width, count);
    if (window.found >= count || now - width <= boundary) return window.slots;
  }
}

function narrow(
  spec: NormalizedSpec,
  boundary: number,
  now: number,
  sparse: number,
  dense: number,
  count: number,
): number[] {
  while (dense - sparse > 1) {
    const width = Math.floor((sparse + dense) / 2);
    const window = scan(spec, Math.max(boundary, now - width), now, count);
    if (window.complete && window.found >= count) return window.slots;
    if (window.complete) sparse = width;
    else dense = width;
  }
  return scan(spec, Math.max(boundary, now - sparse), now, count).slots;
}

/** The last `count` slots in (start, now], iterating at most count + CRON_SCAN_LIMIT slots. */
function scan(spec: NormalizedSpec, start: number, now: number, count: number): Window {
  const slots: number[] = [];
  let found = 0;
  for (let slot = nextSlotMs(spec, start); slot !== null && slot <= now; slot = nextSlotMs(spec, slot)) {
    if (++found > count + CRON_SCAN_LIMIT) return { slots: [], found, complete: false };
    slots.push(slot);
    if (slots.length >= 2 * count) slots.splice(0, count);
  }
  return { slots: slots.slice(-count), found, complete: true };
}
