/**
 * cron-parser handles whole-hour DST shifts (New York, Berlin) but skips a day's slot that falls in
 * a spring-forward gap of another size (Lord Howe's 30 minutes), and even valid times right after
 * it. This re-checks every forward transition between `after` and cron-parser's answer by
 * evaluating the expression in the fixed offsets on either side of it:
 * - before the jump (offset o1): local times up to the end of the gap, i.e. a missing 02:15 maps to
 *   02:15 o1 — the same instant as 02:45 o2 — "shifted forward by the gap", as cron-parser does
 *   for whole hours (a missing 02:30 in New York fires at 03:30 EDT);
 * - after the jump (offset o2): real local times from the jump on.
 * Assumes a zone never changes its offset twice within SCAN_STEP (true of the tz database since 1970).
 */
import { offsetMinutes } from './time-zone.js';

const SCAN_STEP = 7 * 24 * 3600_000;

type NextIn = (zone: string, after: number) => number | null;

interface Transition {
  at: number;
  before: number;
  after: number;
}

/** `raw` (cron-parser's next slot after `after`), or an earlier slot it missed around a jump. */
export function correctSpringForward(raw: number, after: number, zone: string, nextIn: NextIn): number {
  if (raw - after <= SCAN_STEP && offsetMinutes(zone, after) === offsetMinutes(zone, raw)) return raw;
  let best = raw;
  let from = after;
  for (let jump = findTransition(zone, from, best); jump; jump = findTransition(zone, jump.at, best)) {
    if (jump.after > jump.before) best = Math.min(best, gapCandidate(jump, from, zone, nextIn) ?? best);
    from = jump.at;
  }
  return best;
}

function gapCandidate(jump: Transition, segmentStart: number, zone: string, nextIn: NextIn): number | null {
  const gapEnd = jump.at + (jump.after - jump.before) * 60_000;
  const early = nextInOffset(jump.before, segmentStart, nextIn);
  if (early !== null && early < gapEnd) return early;
  const late = nextInOffset(jump.after, Math.max(segmentStart, jump.at - 1), nextIn);
  return late !== null && offsetMinutes(zone, late) === jump.after ? late : null;
}

function nextInOffset(offset: number, after: number, nextIn: NextIn): number | null {
  const zone = fixedZone(offset);
  return zone === null ? null : nextIn(zone, after);
}

/** A fixed-offset zone name luxon (under cron-parser) understands, e.g. 'UTC+10:30'. */
function fixedZone(offset: number): string | null {
  if (!Number.isInteger(offset)) return null;
  const sign = offset < 0 ? '-' : '+';
  const hours = Math.floor(Math.abs(offset) / 60);
  const minutes = String(Math.abs(offset) % 60).padStart(2, '0');
  return `UTC${sign}${hours}:${minutes}`;
}

/** The first offset change in (from, to], found by scanning in steps and bisecting. */
function findTransition(zone: string, from: number, to: number): Transition | null {
  const before = offsetMinutes(zone, from);
  for (let start = from; start < to; start += SCAN_STEP) {
    const end = Math.min(start + SCAN_STEP, to);
    if (offsetMinutes(zone, end) !== before) return bisect(zone, start, end, before);
  }
  return null;
}

function bisect(zone: string, low: number, high: number, before: number): Transition {
  while (high - low > 1) {
    const middle = Math.floor((low + high) / 2);
    if (offsetMinutes(zone, middle) === before) low = middle;
    else high = middle;
  }
  return { at: high, before, after: offsetMinutes(zone, high) };
}
