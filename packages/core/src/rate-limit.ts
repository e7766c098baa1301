/**
 * Celery's rate limits (celery.utils.time.rate and kombu's TokenBucket), the one place a limit
 * is read: `'10/s'`, `'100/m'`, `'1000/h'`, a bare number (per second, as Celery), a float count
 * (`'0.5/s'`). A falsy value, or one that comes to 0, means no limit.
 */
import { CeleriacError } from '@celeriac/protocol';

/** What a rate limit may be written as, on registration and in `control rate_limit`. */
export type RateLimit = `${number}/${'s' | 'm' | 'h'}` | `${number}` | number;

export type RateLimitErrorCode = 'RATE_LIMIT_INVALID_NUMBER' | 'RATE_LIMIT_INVALID_UNIT';

/**
 * A limit that cannot be read. `pythonRepr` is what a Celery worker answers `control rate_limit`
 * with for the same input (`ValueError(...)` for the count, `KeyError('d')` for the unit).
 */
export class RateLimitError extends CeleriacError {
  declare readonly code: RateLimitErrorCode;
  readonly pythonRepr: string;

  constructor(code: RateLimitErrorCode, message: string, pythonRepr: string) {
    super(code, message);
    this.pythonRepr = pythonRepr;
  }
}

/** Seconds per unit, as Celery's RATE_MODIFIER_MAP. */
const UNIT_SECONDS: Readonly<Record<string, number>> = { s: 1, m: 60, h: 3600 };

/** Tokens per second, or null for no limit. Throws RateLimitError for anything else. */
export function parseRateLimit(value: unknown): number | null {
  if (value === null || value === undefined || value === '' || value === 0 || value === false) return null;
  if (typeof value === 'number') return checkedCount(value, String(value)) || null;
  if (typeof value !== 'string') throw invalidNumber(JSON.stringify(value) ?? typeof value);
  // Python's str.partition: everything after the first '/' is the unit ('5/s/x' has unit 's/x').
  const slash = value.indexOf('/');
  const count = slash < 0 ? value : value.slice(0, slash);
  const unit = slash < 0 ? 's' : value.slice(slash + 1) || 's';
  const seconds = UNIT_SECONDS[unit];
  if (seconds === undefined) throw invalidUnit(value, unit);
  return checkedCount(Number(count.trim() === '' ? Number.NaN : count), count) / seconds || null;
}

function checkedCount(count: number, text: string): number {
  if (Number.isFinite(count) && count >= 0) return count;
  throw invalidNumber(text);
}

function invalidNumber(text: string): RateLimitError {
  const message = `could not convert string to float: ${pyQuote(text)}`;
  return new RateLimitError(
    'RATE_LIMIT_INVALID_NUMBER',
    `invalid rate limit ${JSON.stringify(text)}: expected a count and a unit, e.g. '10/s', '100/m', '1000/h' or a bare number (per second)`,
    `ValueError(${pyQuote(message)})`,
  );
}

function invalidUnit(text: string, unit: string): RateLimitError {
  return new RateLimitError(
    'RATE_LIMIT_INVALID_UNIT',
    `invalid rate limit ${JSON.stringify(text)}: unknown unit ${JSON.stringify(unit)} (use s, m or h)`,
    `KeyError(${pyQuote(unit)})`,
  );
}

/** Python's repr of a str: single quotes unless the text holds one. */
function pyQuote(text: string): string {
  return text.includes("'") && !text.includes('"')
    ? `"${text}"`
    : `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/**
 * kombu's TokenBucket with Celery's capacity of one: no bursts, at most one start per
 * 1/rate seconds. Pure: time comes from `now` (milliseconds).
 */
export class TokenBucket {
  #tokens: number;
  #stamp: number;

  constructor(
    readonly perSecond: number,
    private readonly now: () => number = Date.now,
    readonly capacity = 1,
  ) {
    this.#tokens = capacity;
    this.#stamp = now();
  }

  /** Takes a token if one is there. */
  take(): boolean {
    this.#refill();
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }

  /** Milliseconds until the next token (0 when one is there). */
  waitMs(): number {
    this.#refill();
    return this.#tokens >= 1 ? 0 : Math.ceil(((1 - this.#tokens) / this.perSecond) * 1000);
  }

  #refill(): void {
    const now = this.now();
    this.#tokens = Math.min(this.capacity, this.#tokens + ((now - this.#stamp) / 1000) * this.perSecond);
    this.#stamp = now;
  }
}
