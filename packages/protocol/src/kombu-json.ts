/**
 * JSON as kombu speaks it, without losing Python's integers.
 *
 * Python integers are unbounded; `JSON.parse` would silently round 2**70 or a 64-bit row id.
 * Integers that do not fit in a double become `bigint` (and are written back as bare digits),
 * via lossless-json. The fast native parser is used whenever the text has no run of 16+ digits,
 * the shortest that can exceed Number.MAX_SAFE_INTEGER.
 *
 * kombu >= 5.3 wraps some types as `{"__type__": ..., "__value__": ...}`; they are decoded here
 * (datetime becomes a Date, the others their string form). We never emit envelopes, because a
 * 5.2 peer would see them as plain dicts.
 *
 * NaN and ±Infinity travel as Python's json writes them, bare `NaN` / `Infinity` / `-Infinity`
 * tokens, both ways (non-finite-json.ts): never as `null`.
 */
import { isInteger, parse as losslessParse, stringify as losslessStringify } from 'lossless-json';
import { ProtocolError } from './errors.js';
import { parseCeleryDate } from './iso-date.js';
import {
  MAY_HOLD_NON_FINITE,
  containsNonFinite,
  parseNonFinite,
  stringifyNonFinite,
  type Reviver,
} from './non-finite-json.js';

const LONG_DIGIT_RUN = /\d{16}/;

/**
 * Only a text with this in it can hold a kombu envelope (a key can also be spelled with \u
 * escapes). JSON.parse with a reviver calls it for every value: several times the cost of the
 * parse itself for a task body, which never holds one when a Celeriac or Celery 5.2 peer sent it.
 */
const MAY_HOLD_ENVELOPE = /__type__|\\u/;

export function parseJson(text: string): unknown {
  try {
    return parseWith(text, MAY_HOLD_ENVELOPE.test(text) ? reviveEnvelope : undefined);
  } catch (error) {
    // Only a text that failed can hold bare NaN/Infinity: the common case pays nothing for them.
    if (!MAY_HOLD_NON_FINITE.test(text)) throw error;
    return parseNonFinite(text, parseWith, reviveEnvelope);
  }
}

/**
 * Deeper than this a value is refused. JSON.parse alone reads any depth (it does not recurse), but
 * what walks a value afterwards does (a reviver, JSON.stringify, a structured clone) and would
 * overflow the stack somewhere less clear; Python's json stops near 1,000 (its recursion limit).
 */
export const MAX_JSON_DEPTH = 2000;

function parseWith(text: string, reviver: Reviver | undefined): unknown {
  if (LONG_DIGIT_RUN.test(text)) return losslessParse(text, reviver, numberOrBigInt);
  const value: unknown = reviver ? JSON.parse(text, reviver) : JSON.parse(text);
  // Each level takes two characters at least: only a long text can be too deep.
  if (text.length > 2 * MAX_JSON_DEPTH) checkDepth(value);
  return value;
}

/** Walks arrays and plain objects without recursing (a revived Date or Buffer is a leaf). */
function checkDepth(root: unknown): void {
  const stack: Array<{ value: unknown; depth: number }> = [{ value: root, depth: 0 }];
  for (let next = stack.pop(); next; next = stack.pop()) {
    const { value, depth } = next;
    if (!isContainer(value)) continue;
    if (depth >= MAX_JSON_DEPTH) throw new RangeError(`JSON nested deeper than ${MAX_JSON_DEPTH} levels`);
    for (const item of Array.isArray(value) ? value : Object.values(value))
      stack.push({ value: item, depth: depth + 1 });
  }
}

function isContainer(value: unknown): value is object {
  if (typeof value !== 'object' || value === null) return false;
  return Array.isArray(value) || Object.getPrototypeOf(value) === Object.prototype;
}

/** Only integers a double cannot hold exactly become bigint; `1` stays a number beside `2**70`. */
function numberOrBigInt(text: string): number | bigint {
  const value = Number(text);
  return isInteger(text) && !Number.isSafeInteger(value) ? BigInt(text) : value;
}

export function stringifyJson(value: unknown): string {
  // The common case, checked by one walk: JSON.stringify alone writes it as kombu would.
  if (isPlainJson(value)) return stringifyWith(value);
  const json = stringifyWith(value);
  // JSON.stringify writes a NaN as null: only a text with a null can have lost one.
  if (!json.includes('null') || !containsNonFinite(value)) return json;
  return stringifyNonFinite(value, stringifyWith);
}

/** Deeper than this, the walk gives up and the checked path decides (it also meets cycles there). */
const PLAIN_DEPTH = 32;

/**
 * True when `value` holds no bigint and no NaN or infinity where JSON.stringify would write
 * it: nothing JSON.stringify gets wrong. Objects with toJSON (a Date) are written as what it
 * returns, as on the checked path. A task body always holds a null (its embed), so the checked
 * path's `includes('null')` never spared a task the walk; this one spares it the scan.
 */
function isPlainJson(value: unknown, depth = 0): boolean {
  if (typeof value === 'number') return Number.isFinite(value);
  if (typeof value === 'bigint') return false;
  if (typeof value !== 'object' || value === null || typeof (value as { toJSON?: unknown }).toJSON === 'function')
    return true;
  if (depth >= PLAIN_DEPTH) return false;
  if (Array.isArray(value)) return value.every((item) => isPlainJson(item, depth + 1));
  for (const key in value) {
    if (Object.hasOwn(value, key) && !isPlainJson((value as Record<string, unknown>)[key], depth + 1)) return false;
  }
  return true;
}

function stringifyWith(value: unknown, replacer?: Reviver): string {
  try {
    return JSON.stringify(value, replacer) ?? 'null';
  } catch (error) {
    if (!containsBigInt(value)) throw unencodable(error);
    return losslessStringifyOrThrow(value, replacer);
  }
}

function losslessStringifyOrThrow(value: unknown, replacer?: Reviver): string {
  try {
    return losslessStringify(value, replacer) ?? 'null';
  } catch (error) {
    throw unencodable(error); // e.g. a cycle, which lossless-json meets as a stack overflow
  }
}

function unencodable(error: unknown): ProtocolError {
  return new ProtocolError('VALUE_UNENCODABLE', `cannot encode as JSON: ${String(error)}`, {}, { cause: error });
}

function containsBigInt(value: unknown, seen = new Set<unknown>()): boolean {
  if (typeof value === 'bigint') return true;
  if (typeof value !== 'object' || value === null || seen.has(value)) return false;
  seen.add(value);
  return Object.values(value).some((item) => containsBigInt(item, seen));
}

function reviveEnvelope(_key: string, value: unknown): unknown {
  if (!isEnvelope(value)) return value;
  const decode = ENVELOPE_DECODERS[value.__type__];
  if (!decode) throw new ProtocolError('BODY_UNDECODABLE', `unknown kombu JSON type marker "${value.__type__}"`);
  return decode(value.__value__);
}

interface Envelope {
  __type__: string;
  __value__: unknown;
}

function isEnvelope(value: unknown): value is Envelope {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const keys = Object.keys(value);
  return keys.length === 2 && '__type__' in value && '__value__' in value && typeof value.__type__ === 'string';
}

const ENVELOPE_DECODERS: Record<string, (value: unknown) => unknown> = {
  // kombu writes naive datetimes without an offset; Celery reads those as UTC, `new Date` as local time.
  datetime: (value) => parseCeleryDate(String(value)) ?? new Date(String(value)),
  date: String,
  time: String,
  decimal: String,
  bytes: String,
  base64: (value) => Buffer.from(String(value), 'base64'),
  uuid: (value) => formatUuidHex(value),
};

function formatUuidHex(value: unknown): string {
  const hex = typeof value === 'object' && value !== null && 'hex' in value ? String(value.hex) : String(value);
  const h = hex.replace(/-/g, '');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
