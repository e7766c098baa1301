import { UsageError } from '../errors.js';

const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const PART = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/g;
const WHOLE = /^(?:\d+(?:\.\d+)?(?:ms|s|m|h|d))+$/;

/**
 * `--every` values: `30s`, `5m`, `1h`, `1d`, `250ms`, combinations such as `1h30m`, or a bare
 * number of milliseconds. The result is a whole, positive number of milliseconds.
 */
export function parseDuration(text: string, origin: string): number {
  const trimmed = text.trim();
  const ms = /^\d+$/.test(trimmed) ? Number(trimmed) : sumParts(trimmed);
  if (ms !== null && Number.isSafeInteger(ms) && ms > 0) return ms;
  throw new UsageError(
    `${origin} must be a duration such as 30s, 5m, 1h, 1d, 1h30m or a number of milliseconds > 0, got ${JSON.stringify(text)}`,
  );
}

function sumParts(text: string): number | null {
  if (!WHOLE.test(text)) return null;
  let total = 0;
  for (const [, amount, unit] of text.matchAll(PART)) total += Number(amount) * (UNIT_MS[unit ?? ''] ?? Number.NaN);
  return Math.round(total);
}

/** The shortest exact form for a table: 90000 → `1m30s`, 1500 → `1s500ms`. */
export function formatDuration(ms: number): string {
  let rest = ms;
  const parts: string[] = [];
  for (const unit of ['d', 'h', 'm', 's', 'ms']) {
    const size = UNIT_MS[unit] ?? 1;
    const count = Math.floor(rest / size);
    if (count > 0) parts.push(`${count}${unit}`);
    rest -= count * size;
  }
  return parts.join('') || '0ms';
}
