/**
 * JSON written byte for byte as Python's `json.dumps` writes an event (kombu's json serializer):
 * `", "` and `": "` separators, non-ASCII escaped (`ensure_ascii`), and floats always with a
 * fraction (`2.0`, not `2`), so a Python receiver reads `freq` and `runtime` as floats.
 */

/** Marks a number to be written as a Python float. */
export class PyFloat {
  constructor(readonly value: number) {}
}

export function pyJson(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : 'null';
  if (value instanceof PyFloat) return pyFloat(value.value);
  if (typeof value === 'string') return pyString(value);
  if (Array.isArray(value)) return `[${value.map(pyJson).join(', ')}]`;
  const entries = Object.entries(value as Record<string, unknown>).filter(([, item]) => item !== undefined);
  return `{${entries.map(([key, item]) => `${pyString(key)}: ${pyJson(item)}`).join(', ')}}`;
}

function pyFloat(value: number): string {
  // Python writes NaN/Infinity bare; an event never carries them, and null keeps the body valid JSON.
  if (!Number.isFinite(value)) return 'null';
  return Number.isInteger(value) ? `${value}.0` : String(value);
}

/** Printable ASCII without a quote or a backslash: written as it is (ids, names, hostnames: nearly every string). */
const PLAIN = /^[ !#-[\]-~]*$/;
const NON_ASCII = /[\u007f-\uffff]/g;

function pyString(text: string): string {
  if (PLAIN.test(text)) return `"${text}"`;
  // JSON.stringify escapes quotes, backslashes and control characters as Python does;
  // ensure_ascii adds everything outside printable ASCII.
  return JSON.stringify(text).replace(NON_ASCII, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
