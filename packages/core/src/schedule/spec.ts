/**
 * One schedule spec (cron, interval, once) from user input to its normalized, JSON-safe form,
 * and the next slot of a normalized spec. Pure: the clock is a parameter.
 */
import { ConfigurationError, InvalidArgumentError } from '../errors.js';
import { cronError, nextCronSlot, normalizeCronExpression, parseCron } from './cron.js';
import { isoInstant } from './instant.js';
import { normalizeTimeZone } from './time-zone.js';
import type { NormalizedSpec, ScheduleSpec } from '@celeriac/protocol';

export const MIN_INTERVAL_MS = 1000;
export const MAX_INTERVAL_MS = 10 * 365.25 * 24 * 3600_000;
/** Slots after this instant are treated as "never": no schedule plans beyond the year 2999. */
export const LAST_SLOT_MS = Date.UTC(3000, 0, 1) - 1;

/** Validates a spec and applies its defaults; `now` is the default interval anchor. */
export function compileSpec(spec: ScheduleSpec, now: Date): NormalizedSpec {
  if (typeof spec !== 'object' || spec === null) {
    throw new InvalidArgumentError(
      `invalid schedule ${JSON.stringify(spec)}: expected {kind: 'cron' | 'interval' | 'once', ...}`,
    );
  }
  switch (spec.kind) {
    case 'cron':
      return compileCron(spec.expression, spec.timezone, now);
    case 'interval':
      return compileInterval(spec.everyMs, spec.anchor, now);
    case 'once':
      return { kind: 'once', at: isoInstant(spec.at, 'once schedule date') };
    default:
      throw new InvalidArgumentError(
        `unknown schedule kind ${JSON.stringify((spec as { kind?: unknown }).kind)}: expected 'cron', 'interval' or 'once'`,
      );
  }
}

/**
 * (zone, expression) pairs already found valid. Cron fields have no year, so an expression that
 * fires once fires every year (or leap year) after: its validity does not depend on `now` and is
 * checked once per pair, not once per schedule. 100,000 schedules share a few hundred pairs;
 * parsing and iterating each was most of a beat's start-up.
 */
const validCrons = new Set<string>();
const VALID_CRON_LIMIT = 10_000;

function compileCron(rawExpression: unknown, rawZone: unknown, now: Date): NormalizedSpec {
  const expression = normalizeCronExpression(rawExpression);
  const timezone = rawZone === undefined ? 'UTC' : normalizeTimeZone(rawZone);
  const key = `${timezone}\n${expression}`;
  if (!validCrons.has(key)) validateCron(expression, timezone, now, key);
  return { kind: 'cron', expression, timezone };
}

function validateCron(expression: string, timezone: string, now: Date, key: string): void {
  parseCron(expression, timezone);
  // Unsatisfiable expressions (Feb 30 with a weekday, ...) only show when iterated.
  if (nextSlot({ kind: 'cron', expression, timezone }, now) === null) {
    throw cronError(expression, 'it never fires (no matching date before the year 3000)');
  }
  if (validCrons.size >= VALID_CRON_LIMIT) validCrons.clear();
  validCrons.add(key);
}

function compileInterval(everyMs: unknown, anchor: unknown, now: Date): NormalizedSpec {
  if (
    typeof everyMs !== 'number' ||
    !Number.isInteger(everyMs) ||
    everyMs < MIN_INTERVAL_MS ||
    everyMs > MAX_INTERVAL_MS
  ) {
    throw new InvalidArgumentError(
      `invalid interval everyMs ${JSON.stringify(everyMs)}: expected whole milliseconds from ${MIN_INTERVAL_MS} (one second) to ${MAX_INTERVAL_MS} (ten years)`,
    );
  }
  const start = anchor === undefined ? now.toISOString() : isoInstant(anchor, 'interval anchor');
  return { kind: 'interval', everyMs, anchor: start };
}

/** The first slot strictly after `after`, or null if there is none (before the year 3000). */
export function nextSlot(spec: NormalizedSpec, after: Date): Date | null {
  const slot = nextSlotMs(spec, after.getTime());
  return slot === null ? null : new Date(slot);
}

export function nextSlotMs(spec: NormalizedSpec, after: number): number | null {
  const slot = rawNextSlot(spec, after);
  return slot === null || slot > LAST_SLOT_MS ? null : slot;
}

function rawNextSlot(spec: NormalizedSpec, after: number): number | null {
  switch (spec.kind) {
    case 'cron':
      return nextCronSlot(spec.expression, spec.timezone, after);
    case 'interval':
      return nextIntervalSlot(Date.parse(spec.anchor), storedEvery(spec), after);
    case 'once':
      return Date.parse(spec.at) > after ? Date.parse(spec.at) : null;
    default:
      throw unknownKind(spec);
  }
}

/**
 * A stored interval's period. Compiling checks it, but a store edited by hand (or written by a
 * later release) may hold anything, and a period of 0 made the slot maths loop until out of memory.
 */
export function storedEvery(spec: { everyMs: unknown }): number {
  const every = spec.everyMs;
  if (typeof every === 'number' && Number.isFinite(every) && every >= MIN_INTERVAL_MS) return every;
  throw new ConfigurationError(`a stored interval's everyMs ${JSON.stringify(every)} is not a period of 1 s or more`);
}

/** A stored schedule of a kind this release does not know (hand-edited, or from a later release). */
export function unknownKind(spec: { kind: unknown }): ConfigurationError {
  return new ConfigurationError(`a stored schedule of unknown kind ${JSON.stringify(spec.kind)}`);
}

/** anchor + k × every for the smallest k ≥ 0 past `after`: arithmetic, so slots never drift. */
export function nextIntervalSlot(anchor: number, every: number, after: number): number {
  if (after < anchor) return anchor;
  return anchor + (Math.floor((after - anchor) / every) + 1) * every;
}
