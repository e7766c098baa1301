/**
 * NaN, Infinity and -Infinity as Python's json module writes and reads them: bare tokens.
 *
 * `json.dumps(float('nan'))` is `NaN` (allow_nan defaults to True, in kombu 5.2 and 5.3+ alike)
 * and `json.loads` accepts it back, so a Python caller may send `[NaN]` and expects a task that
 * returns NaN to come back as `nan`. Plain JSON has no such tokens: JSON.parse refuses them and
 * JSON.stringify writes `null`, which would silently turn a number into None.
 *
 * Both directions swap the tokens for marker strings carrying a per-call random nonce (no payload
 * can predict it), let the regular parser or serializer run, and swap back. Only payloads that
 * really hold such numbers take this path; kombu-json.ts decides when.
 */
import { randomUUID } from 'node:crypto';

const TOKENS = ['NaN', 'Infinity', '-Infinity'] as const;
type Token = (typeof TOKENS)[number];
const VALUES: Readonly<Record<Token, number>> = {
  NaN: Number.NaN,
  Infinity: Number.POSITIVE_INFINITY,
  '-Infinity': Number.NEGATIVE_INFINITY,
};

/** Cheap pre-check: without these words a parse failure has another cause. */
export const MAY_HOLD_NON_FINITE = /NaN|Infinity/;

export type Reviver = (key: string, value: unknown) => unknown;

/**
 * Parses `text` that may hold bare NaN/Infinity tokens with `parse` (native or lossless), which
 * receives the text with the tokens as marker strings and a reviver that turns them back.
 */
export function parseNonFinite(
  text: string,
  parse: (text: string, reviver: Reviver) => unknown,
  next: Reviver,
): unknown {
  const nonce = `\u0000${randomUUID()}:`;
  const reviver: Reviver = (key, value) => {
    if (typeof value === 'string' && value.startsWith(nonce)) return VALUES[value.slice(nonce.length) as Token];
    return next(key, value);
  };
  return parse(markTokens(text, JSON.stringify(nonce).slice(1, -1)), reviver);
}

/** `text` with every bare token outside strings replaced by `"<nonce><token>"`. */
function markTokens(text: string, escapedNonce: string): string {
  let out = '';
  let copied = 0;
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (char === '"') {
      i = endOfString(text, i);
      continue;
    }
    const token =
      char === 'N' || char === 'I' || char === '-'
        ? TOKENS.find((candidate) => text.startsWith(candidate, i))
        : undefined;
    if (!token) continue;
    out += `${text.slice(copied, i)}"${escapedNonce}${token}"`;
    i += token.length - 1;
    copied = i + 1;
  }
  return out + text.slice(copied);
}

/** Index of the quote closing the string that opens at `start` (or the end of a broken text). */
function endOfString(text: string, start: number): number {
  for (let i = start + 1; i < text.length; i++) {
    if (text[i] === '\\') i++;
    else if (text[i] === '"') return i;
  }
  return text.length;
}

/**
 * Whether `value` holds a NaN or an infinity where JSON.stringify would write it. Only for a value
 * JSON.stringify has just accepted: it walks the same own keys, so there is no cycle to guard
 * against (no Set to allocate per message). An object with toJSON is written as what that returns,
 * which the walk cannot see; it is left alone (a Date has no number to lose).
 */
export function containsNonFinite(value: unknown): boolean {
  if (typeof value === 'number') return !Number.isFinite(value);
  if (typeof value !== 'object' || value === null || typeof (value as { toJSON?: unknown }).toJSON === 'function')
    return false;
  if (Array.isArray(value)) return value.some(containsNonFinite);
  for (const key in value) {
    if (Object.hasOwn(value, key) && containsNonFinite((value as Record<string, unknown>)[key])) return true;
  }
  return false;
}

/** Serializes with `stringify` (native or lossless), writing non-finite numbers as bare tokens. */
export function stringifyNonFinite(value: unknown, stringify: (value: unknown, replacer: Reviver) => string): string {
  const nonce = `${randomUUID()}:`;
  const replacer: Reviver = (_key, item) =>
    typeof item === 'number' && !Number.isFinite(item) ? `${nonce}${String(item)}` : item;
  return stringify(value, replacer).replace(new RegExp(`"${nonce}(NaN|Infinity|-Infinity)"`, 'g'), '$1');
}
