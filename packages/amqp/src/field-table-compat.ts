/**
 * Makes amqplib read every header table a Python peer can write, before amqplib is loaded.
 *
 * py-amqp writes integers beyond ±2^31 with the tag `L` (signed 64-bit); amqplib only knows `l`
 * and throws "Unexpected type tag", which closes the whole connection: one such message from a
 * Python client would put every consumer of its queue into a reconnect-and-redeliver loop.
 * `L` and amqplib's `l` share one layout, so we rewrite the tag and let amqplib decode it. A table
 * that still cannot be decoded becomes `{ [UNDECODABLE_HEADERS]: reason }`, which the worker
 * dead-letters instead of dying.
 *
 * amqplib's generated frame decoders capture `codec.decodeFields` when they load, so this must
 * run before them: connection.ts imports this module ahead of amqplib.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { UNDECODABLE_HEADERS } from '@celeriac/protocol';

type DecodeFields = (slice: Buffer) => Record<string, unknown>;

const FIXED_SIZES: Record<string, number> = {
  t: 1,
  b: 1,
  B: 1,
  s: 2,
  u: 2,
  U: 2,
  I: 4,
  i: 4,
  f: 4,
  l: 8,
  L: 8,
  d: 8,
  T: 8,
  D: 5,
  V: 0,
};
const SIZED = new Set(['S', 'x', 'F', 'A']);

/** Rewrites `L` tags to `l` in place, walking nested tables and arrays; false on an unknown tag. */
export function normaliseTableTags(slice: Buffer, start = 0, end = slice.length): boolean {
  let offset = start;
  while (offset < end) {
    offset += 1 + slice.readUInt8(offset); // key: short string
    const next = normaliseValue(slice, offset);
    if (next < 0) return false;
    offset = next;
  }
  return offset === end;
}

function normaliseValue(slice: Buffer, offset: number): number {
  const tag = String.fromCharCode(slice.readUInt8(offset));
  if (tag === 'L') slice.writeUInt8(0x6c, offset); // 'l'
  const fixed = FIXED_SIZES[tag];
  if (fixed !== undefined) return offset + 1 + fixed;
  if (!SIZED.has(tag)) return -1;
  const length = slice.readUInt32BE(offset + 1);
  const bodyStart = offset + 5;
  if (tag === 'F' && !normaliseTableTags(slice, bodyStart, bodyStart + length)) return -1;
  if (tag === 'A' && !normaliseArray(slice, bodyStart, bodyStart + length)) return -1;
  return bodyStart + length;
}

function normaliseArray(slice: Buffer, start: number, end: number): boolean {
  let offset = start;
  while (offset < end) {
    offset = normaliseValue(slice, offset);
    if (offset < 0) return false;
  }
  return offset === end;
}

function tolerant(original: DecodeFields): DecodeFields {
  return (slice) => {
    try {
      return withProtoKeys(slice, original(slice));
    } catch (error) {
      const copy = Buffer.from(slice);
      if (safely(() => normaliseTableTags(copy))) {
        const decoded = safely(() => original(copy));
        if (decoded) return withProtoKeys(copy, decoded);
      }
      return { [UNDECODABLE_HEADERS]: `header table could not be decoded: ${(error as Error).message}` };
    }
  };
}

const PROTO_KEY = Buffer.from('__proto__');

/**
 * amqplib fills each table with `fields[key] = value`, so a header named `__proto__` whose value
 * is a table became that table's prototype: the key vanished from the message and its entries were
 * inherited by every lookup. It is put back as an own data key, at every depth.
 */
function withProtoKeys(slice: Buffer, decoded: Record<string, unknown>): Record<string, unknown> {
  if (slice.includes(PROTO_KEY)) restoreProtoKeys(decoded);
  return decoded;
}

function restoreProtoKeys(value: unknown): void {
  if (Array.isArray(value)) return value.forEach(restoreProtoKeys);
  if (typeof value !== 'object' || value === null || Buffer.isBuffer(value)) return;
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) {
    Object.setPrototypeOf(value, Object.prototype);
    Object.defineProperty(value, '__proto__', { value: proto, enumerable: true, writable: true, configurable: true });
  }
  Object.values(value).forEach(restoreProtoKeys);
}

function safely<T>(work: () => T): T | undefined {
  try {
    return work();
  } catch {
    return undefined;
  }
}

function install(): void {
  const require = createRequire(import.meta.url);
  const codec = require(join(dirname(require.resolve('amqplib')), 'lib', 'codec.js')) as {
    decodeFields?: DecodeFields;
    __celeriac?: boolean;
  };
  if (typeof codec.decodeFields !== 'function' || codec.__celeriac) return;
  codec.decodeFields = tolerant(codec.decodeFields);
  codec.__celeriac = true;
}

install();
