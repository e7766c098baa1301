/**
 * Cron expressions: validation at compile time and the next slot after an instant, in a zone.
 * cron-parser does the calendar work; this file bans its silent traps (empty = every minute,
 * `H` = random per parse, huge steps = 0) and corrects its spring-forward gaps for zones whose
 * shift is not a whole hour (see dst-gap.ts).
 */
import { CronExpressionParser, type CronExpression } from 'cron-parser';
import { InvalidArgumentError } from '../errors.js';
import { correctSpringForward } from './dst-gap.js';

const FIELD_NAMES = ['second', 'minute', 'hour', 'day-of-month', 'month', 'day-of-week'] as const;
const FIELD_MAX = [59, 59, 23, 31, 12, 7] as const;
const MAX_LENGTH = 1024;
const CACHE_LIMIT = 1000;
/** Parsed expressions by zone and text; reset() moves one to a new start without reparsing. */
const parsed = new Map<string, CronExpression>();
/**
 * The last two answers per zone and text: next(after) = slot means no slot lies in (after, slot),
 * so any start in [after, slot) has the same answer. cron-parser costs 50-250 µs per next(); this
 * makes the common repeats free (many schedules sharing an expression, a due check followed by
 * the next-slot lookup). Two, not one: each fire asks from just before its slot (the due check's
 * window) and then from the slot on (the next slot), and with one answer kept the schedules
 * sharing a cron evicted each other's on every fire — two computations per fire, two thirds of
 * beat's CPU at 1,000,000 schedules.
 */
interface Answer {
  after: number;
  slot: number | null;
}
const answers = new Map<string, [Answer, Answer | undefined]>();
/** How many answers were computed rather than remembered: for tests of the memo. */
export const cronCounters = { computed: 0 };

/**
 * Expressions as given → normalized: 100,000 schedules repeat a few hundred texts, and the
 * regular expressions of the checks were a tenth of their start-up. Only valid ones are kept.
 */
const normalizedTexts = new Map<string, string>();

/** Checks an expression's shape and returns it with single spaces; cron-parser checks the rest. */
export function normalizeCronExpression(expression: unknown): string {
  if (typeof expression !== 'string') throw cronError(expression, 'expected a string');
  const known = normalizedTexts.get(expression);
  if (known !== undefined) return known;
  const result = checkedExpression(expression);
  if (normalizedTexts.size >= CACHE_LIMIT) normalizedTexts.clear();
  normalizedTexts.set(expression, result);
  return result;
}

function checkedExpression(expression: string): string {
  const normalized = expression.trim().replace(/\s+/g, ' ');
  if (normalized === '') throw cronError(expression, 'the expression is empty');
  if (normalized.length > MAX_LENGTH)
    throw cronError(`${normalized.slice(0, 40)}…`, `longer than ${MAX_LENGTH} characters`);
  if (!normalized.startsWith('@')) checkFields(normalized);
  return normalized;
}

function checkFields(expression: string): void {
  const fields = expression.split(' ');
  if (fields.length !== 5 && fields.length !== 6) {
    throw cronError(
      expression,
      `expected 5 fields (minute hour day-of-month month day-of-week) or 6 with seconds first, got ${fields.length}`,
    );
  }
  const offset = 6 - fields.length;
  fields.forEach((field, index) => checkField(expression, field, index + offset));
}

function checkField(expression: string, field: string, position: number): void {
  const name = FIELD_NAMES[position] ?? 'unknown';
  const withoutNames = position >= 4 ? field.replace(/[a-z]{3}/gi, '') : field;
  if (withoutNames.includes('H')) {
    throw cronError(
      expression,
      `'H' (hashed values) is not supported in the ${name} field: beats would disagree on its value; write the value explicitly`,
    );
  }
  for (const step of field.matchAll(/\/(\d+)/g)) {
    if (Number(step[1]) > (FIELD_MAX[position] ?? 0)) {
      throw cronError(
        expression,
        `step ${step[1]} in the ${name} field is larger than its maximum ${FIELD_MAX[position]}`,
      );
    }
  }
}

export function cronError(expression: unknown, reason: string): InvalidArgumentError {
  const shown = typeof expression === 'string' ? `'${expression}'` : JSON.stringify(expression);
  return new InvalidArgumentError(`invalid cron expression ${shown}: ${reason}`);
}

/** Throws cron-parser's complaint as a readable InvalidArgumentError. */
export function parseCron(expression: string, timezone: string): CronExpression {
  try {
    return CronExpressionParser.parse(expression, { tz: timezone, currentDate: new Date(0) });
  } catch (error) {
    throw cronError(expression, error instanceof Error ? error.message : String(error));
  }
}

/** The first slot strictly after `after`, or null when cron-parser finds none. */
export function nextCronSlot(expression: string, timezone: string, after: number): number | null {
  const key = `${timezone}\n${expression}`;
  const [latest, previous] = answers.get(key) ?? [];
  if (covers(latest, after)) return latest.slot;
  if (covers(previous, after)) return previous.slot;
  const slot = computeNext(expression, timezone, after);
  cronCounters.computed += 1;
  if (answers.size >= CACHE_LIMIT) answers.clear();
  answers.set(key, [{ after, slot }, latest]);
  return slot;
}

function covers(known: Answer | undefined, after: number): known is Answer & { slot: number } {
  return known !== undefined && known.slot !== null && known.after <= after && after < known.slot;
}

function computeNext(expression: string, timezone: string, after: number): number | null {
  const raw = rawNext(expression, timezone, after);
  if (raw === null) return null;
  return correctSpringForward(raw, after, timezone, (zone, from) => rawNext(expression, zone, from));
}

/** cron-parser's answer, with its iteration-limit errors (unsatisfiable) read as "no next". */
export function rawNext(expression: string, timezone: string, after: number): number | null {
  const iterator = cachedExpression(expression, timezone);
  try {
    iterator.reset(new Date(after));
    return iterator.next().getTime();
  } catch {
    return null;
  }
}

function cachedExpression(expression: string, timezone: string): CronExpression {
  const key = `${timezone}\n${expression}`;
  let iterator = parsed.get(key);
  if (!iterator) {
    if (parsed.size >= CACHE_LIMIT) parsed.clear();
    iterator = parseCron(expression, timezone);
    parsed.set(key, iterator);
  }
  return iterator;
}
