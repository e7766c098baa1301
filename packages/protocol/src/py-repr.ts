/**
 * An approximation of Python's `repr()`, used only for the `argsrepr`/`kwargsrepr` headers that
 * Celery shows in logs, events and Flower. Celery caps them at 1024 characters.
 */
const MAX_REPR = 1024;

export function argsRepr(args: readonly unknown[]): string {
  const inner = args.map((arg) => pyRepr(arg)).join(', ');
  return truncate(args.length === 1 ? `(${inner},)` : `(${inner})`);
}

export function kwargsRepr(kwargs: Readonly<Record<string, unknown>>): string {
  return truncate(pyRepr(kwargs));
}

/** Any value's repr (a result in a task-succeeded event, an exception's argument), capped as Celery caps it. */
export function valueRepr(value: unknown, max = MAX_REPR): string {
  return truncate(pyRepr(value), max);
}

function truncate(text: string, max = MAX_REPR): string {
  return text.length > max ? `${text.slice(0, max - 3)}...` : text;
}

function pyRepr(value: unknown, depth = 0): string {
  if (depth > 20) return '...';
  if (value === null || value === undefined) return 'None';
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (typeof value === 'number') return numberRepr(value);
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'string') return stringRepr(value);
  if (Array.isArray(value)) return `[${value.map((item) => pyRepr(item, depth + 1)).join(', ')}]`;
  if (value instanceof Date) return stringRepr(value.toISOString());
  if (typeof value === 'object') return dictRepr(value as Record<string, unknown>, depth);
  // eslint-disable-next-line @typescript-eslint/no-base-to-string -- all that is left: symbols and functions
  return stringRepr(String(value));
}

function dictRepr(value: Record<string, unknown>, depth: number): string {
  const items = Object.entries(value).map(([key, item]) => `${stringRepr(key)}: ${pyRepr(item, depth + 1)}`);
  return `{${items.join(', ')}}`;
}

function numberRepr(value: number): string {
  if (Number.isNaN(value)) return 'nan';
  if (!Number.isFinite(value)) return value > 0 ? 'inf' : '-inf';
  return String(value);
}

function stringRepr(value: string): string {
  const quote = value.includes("'") && !value.includes('"') ? '"' : "'";
  const escaped = value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/\t/g, '\\t');
  return quote + (quote === "'" ? escaped.replace(/'/g, "\\'") : escaped) + quote;
}
