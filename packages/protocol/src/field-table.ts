/**
 * AMQP header tables written so that py-amqp reads them back correctly.
 *
 * amqplib guesses integer widths and writes small ones as `b` and `s`; py-amqp reads `s` as a
 * short *string*, which corrupts the rest of the table. So every integer is tagged explicitly:
 * `I` (int32) when it fits, otherwise `l` (int64; py-amqp reads it unsigned, so negative values
 * beyond int32 go out as doubles). The `{ '!': type, value }` form is amqplib's type annotation.
 */
export interface TypedFieldValue {
  '!': 'int' | 'long' | 'double' | 'timestamp' | 'decimal';
  value: number | bigint | { places: number; digits: number };
}

/** Buffers are AMQP byte arrays (`x`); amqplib hands them over as such. */
export type FieldValue = string | boolean | null | Buffer | TypedFieldValue | FieldValue[] | FieldTable;
export interface FieldTable {
  [key: string]: FieldValue;
}

const INT32_MIN = -0x8000_0000;
const INT32_MAX = 0x7fff_ffff;

export function toFieldTable(headers: Readonly<Record<string, unknown>>): FieldTable {
  const table: FieldTable = {};
  // for-in, not Object.entries: no pair arrays for every header of every message sent.
  for (const key in headers) {
    const value = headers[key];
    if (value !== undefined && Object.hasOwn(headers, key)) setOwn(table, key, toFieldValue(value));
  }
  return table;
}

/** `table[key] = value`, except that a key `__proto__` stays a header instead of replacing the prototype. */
function setOwn<T>(table: Record<string, T>, key: string, value: T): void {
  if (key !== '__proto__') table[key] = value;
  else Object.defineProperty(table, key, { value, enumerable: true, writable: true, configurable: true });
}

export function toFieldValue(value: unknown): FieldValue {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  // Values amqplib decoded from a received table (timestamps, decimals, byte arrays) go back as
  // they came; rewrapping them would make amqplib throw when a dead letter is published.
  if (Buffer.isBuffer(value) || isAnnotated(value)) return value as FieldValue;
  if (typeof value === 'number' || typeof value === 'bigint') return typedNumber(value);
  if (Array.isArray(value)) return value.map(toFieldValue);
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'object') return toFieldTable(value as Record<string, unknown>);
  // eslint-disable-next-line @typescript-eslint/no-base-to-string -- all that is left: symbols and functions
  return String(value);
}

function isAnnotated(value: unknown): boolean {
  return typeof value === 'object' && value !== null && Object.hasOwn(value, '!');
}

function typedNumber(value: number | bigint): TypedFieldValue {
  if (typeof value === 'number' && !Number.isInteger(value)) return { '!': 'double', value };
  if (value >= INT32_MIN && value <= INT32_MAX) return { '!': 'int', value: Number(value) };
  if (value > 0) return { '!': 'long', value };
  return { '!': 'double', value: Number(value) };
}

/** The plain value of a header written by `toFieldTable` (used by tests and the dead-letter path). */
export function fromFieldValue(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(fromFieldValue);
  if (typeof value !== 'object' || value === null || Buffer.isBuffer(value)) return value;
  if ('!' in value && 'value' in value) return value.value;
  return plainTable(value as Record<string, unknown>);
}

/**
 * A table's own keys in their order, each value plain. A loop, not fromEntries(entries().map()):
 * a worker runs this on every task's headers, and the pair arrays were a tenth of its drain CPU.
 */
function plainTable(table: Record<string, unknown>): Record<string, unknown> {
  const plain: Record<string, unknown> = {};
  for (const key in table) {
    if (!Object.hasOwn(table, key)) continue;
    setOwn(plain, key, fromFieldValue(table[key]));
  }
  return plain;
}
