import { inflateSync } from 'node:zlib';
import { ProtocolError, type MessageIdentity } from './errors.js';
import { fromFieldValue } from './field-table.js';
import { parseCeleryDate } from './iso-date.js';
import { parseJson } from './kombu-json.js';
import { readSignature, readSignatures } from './signature.js';
import { EMPTY_EMBED, type RawMessage, type TaskEmbed, type TaskMessage, type TimeLimit } from './task-message.js';

/**
 * Set by the transport in place of a header table it could not decode, with the reason as value;
 * such a message is refused here rather than taking its connection down.
 */
export const UNDECODABLE_HEADERS = 'x-celeriac-undecodable-headers';

export interface DecodeOptions {
  /** Largest body accepted after decompression. @default 64 MiB */
  maxBodyBytes?: number;
}

const DEFAULT_MAX_BODY = 64 * 1024 * 1024;
const ZLIB_TYPES = new Set(['application/x-gzip', 'application/zlib', 'zlib']);

/**
 * Decodes a task message of protocol v2 (headers carry `task`) or v1 (everything in the body),
 * as a 5.2 worker tells them apart. Anything a 5.2 worker would reject or crash on is a
 * `ProtocolError` with a stable code and whatever identity could still be read.
 */
export function decodeTask(message: RawMessage, options: DecodeOptions = {}): TaskMessage {
  const headers = plainHeaders(message.properties.headers);
  const identity = identityOf(message, headers);
  if (typeof headers[UNDECODABLE_HEADERS] === 'string')
    throw new ProtocolError('HEADER_INVALID', headers[UNDECODABLE_HEADERS], identity);
  checkContentType(message, identity);
  const body = decodeBody(message, headers, identity, options.maxBodyBytes ?? DEFAULT_MAX_BODY);
  return typeof headers.task === 'string' ? fromV2(message, headers, body, identity) : fromV1(message, body, identity);
}

function plainHeaders(headers: Record<string, unknown> | undefined): Record<string, unknown> {
  return (fromFieldValue(headers ?? {}) ?? {}) as Record<string, unknown>;
}

function identityOf(message: RawMessage, headers: Record<string, unknown>): MessageIdentity {
  const identity: MessageIdentity = {};
  if (typeof headers.id === 'string') identity.id = headers.id;
  if (typeof headers.task === 'string') identity.name = headers.task;
  if (typeof message.properties.replyTo === 'string' && message.properties.replyTo)
    identity.replyTo = message.properties.replyTo;
  if (typeof message.properties.correlationId === 'string') identity.correlationId = message.properties.correlationId;
  return identity;
}

function checkContentType(message: RawMessage, identity: MessageIdentity): void {
  const { contentType, contentEncoding } = message.properties;
  if (contentType !== 'application/json') {
    throw new ProtocolError(
      'CONTENT_TYPE_REFUSED',
      `content type ${JSON.stringify(contentType ?? null)} refused: only application/json is accepted`,
      identity,
    );
  }
  if (
    contentEncoding !== undefined &&
    contentEncoding !== null &&
    !(typeof contentEncoding === 'string' && /^utf-?8$/i.test(contentEncoding))
  ) {
    throw new ProtocolError(
      'CONTENT_ENCODING_REFUSED',
      `content encoding ${JSON.stringify(contentEncoding)} refused: only utf-8 is accepted`,
      identity,
    );
  }
}

function decodeBody(
  message: RawMessage,
  headers: Record<string, unknown>,
  identity: MessageIdentity,
  maxBytes: number,
): unknown {
  try {
    const bytes = inflated(message.content, headers.compression, maxBytes);
    if (bytes.length > maxBytes) throw new Error(`body of ${bytes.length} bytes exceeds the ${maxBytes}-byte limit`);
    return parseJson(bytes.toString('utf8'));
  } catch (error) {
    // A ProtocolError from inside the parser (an unknown kombu type marker) does not know the identity.
    if (error instanceof ProtocolError) throw new ProtocolError(error.code, error.message, identity, { cause: error });
    throw new ProtocolError('BODY_UNDECODABLE', `body is not valid JSON: ${(error as Error).message}`, identity, {
      cause: error,
    });
  }
}

function inflated(content: Buffer, compression: unknown, maxBytes: number): Buffer {
  if (compression === undefined || compression === null) return content;
  if (typeof compression === 'string' && ZLIB_TYPES.has(compression))
    return inflateSync(content, { maxOutputLength: maxBytes });
  throw new Error(`unsupported compression ${JSON.stringify(compression)}`);
}

function fromV2(
  message: RawMessage,
  headers: Record<string, unknown>,
  body: unknown,
  identity: MessageIdentity,
): TaskMessage {
  if (!Array.isArray(body) || body.length < 2 || body.length > 3) {
    throw new ProtocolError('BODY_SHAPE_INVALID', 'protocol v2 body must be [args, kwargs, embed]', identity);
  }
  const read = new FieldReader(headers, identity);
  const id = read.requiredString('id');
  return {
    protocol: 2,
    id,
    name: read.requiredString('task'),
    args: bodyArgs(body[0], identity),
    kwargs: bodyKwargs(body[1], identity),
    embed: bodyEmbed(body[2], identity),
    ...commonFields(read, id),
    ...deliveryFields(message, id),
    headers,
  };
}

function fromV1(message: RawMessage, body: unknown, identity: MessageIdentity): TaskMessage {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new ProtocolError(
      'HEADER_MISSING',
      'message has no "task" header and its body is not a protocol v1 object',
      identity,
    );
  }
  const fields = body as Record<string, unknown>;
  const read = new FieldReader(fields, identity);
  const id = read.requiredString('id');
  const embed = { callbacks: fields.callbacks, errbacks: fields.errbacks, chain: null, chord: fields.chord };
  return {
    protocol: 1,
    id,
    name: read.requiredString('task'),
    args: bodyArgs(fields.args ?? [], identity),
    kwargs: bodyKwargs(fields.kwargs ?? {}, identity),
    embed: bodyEmbed(embed, identity),
    ...commonFields(read, id, 'taskset'),
    ...deliveryFields(message, id),
    headers: plainHeaders(message.properties.headers),
  };
}

function commonFields(read: FieldReader, id: string, groupKey = 'group') {
  return {
    eta: read.date('eta'),
    expires: read.date('expires'),
    retries: read.count('retries'),
    timeLimit: read.timeLimit(),
    rootId: read.optionalString('root_id') ?? id,
    parentId: read.optionalString('parent_id'),
    group: read.optionalString(groupKey) ?? read.optionalString('group'),
    groupIndex: read.optionalNumber('group_index'),
    shadow: read.optionalString('shadow'),
    origin: read.optionalString('origin'),
    ignoreResult: read.flag('ignore_result'),
  };
}

function deliveryFields(message: RawMessage, id: string) {
  const { replyTo, correlationId, priority } = message.properties;
  return {
    replyTo: typeof replyTo === 'string' && replyTo ? replyTo : null,
    correlationId: typeof correlationId === 'string' && correlationId ? correlationId : id,
    priority: typeof priority === 'number' ? priority : null,
  };
}

function bodyArgs(value: unknown, identity: MessageIdentity): unknown[] {
  if (Array.isArray(value)) return value;
  throw new ProtocolError('BODY_SHAPE_INVALID', 'task args must be a JSON array', identity);
}

function bodyKwargs(value: unknown, identity: MessageIdentity): Record<string, unknown> {
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
  throw new ProtocolError('BODY_SHAPE_INVALID', 'task kwargs must be a JSON object', identity);
}

function bodyEmbed(value: unknown, identity: MessageIdentity): TaskEmbed {
  if (value === undefined || value === null) return { ...EMPTY_EMBED };
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new ProtocolError('BODY_SHAPE_INVALID', 'task embed must be a JSON object', identity);
  }
  const embed = value as Record<string, unknown>;
  // Checked here, so that a broken callback is refused with the message, not lost when the task ends.
  const list = (key: string) => readSignatures(embed[key], key, identity);
  const chord =
    embed.chord === undefined || embed.chord === null ? null : readSignature(embed.chord, 'chord', identity);
  return { callbacks: list('callbacks'), errbacks: list('errbacks'), chain: list('chain'), chord };
}

/** Reads typed fields from a header table (v2) or body object (v1), failing with a clear code. */
class FieldReader {
  constructor(
    private readonly fields: Record<string, unknown>,
    private readonly identity: MessageIdentity,
  ) {}

  requiredString(key: string): string {
    const value = this.fields[key];
    if (typeof value === 'string' && value) return value;
    const code = value === undefined || value === null ? 'HEADER_MISSING' : 'HEADER_INVALID';
    throw new ProtocolError(code, `"${key}" must be a non-empty string`, this.identity);
  }

  optionalString(key: string): string | null {
    const value = this.fields[key];
    if (value === undefined || value === null) return null;
    if (typeof value === 'string') return value;
    throw new ProtocolError('HEADER_INVALID', `"${key}" must be a string or null`, this.identity);
  }

  optionalNumber(key: string): number | null {
    const value = this.fields[key];
    if (value === undefined || value === null) return null;
    if (typeof value === 'number' && Number.isFinite(value)) return value;
    throw new ProtocolError('HEADER_INVALID', `"${key}" must be a number or null`, this.identity);
  }

  count(key: string): number {
    const value = this.optionalNumber(key) ?? 0;
    if (Number.isInteger(value) && value >= 0) return value;
    throw new ProtocolError('HEADER_INVALID', `"${key}" must be a non-negative integer`, this.identity);
  }

  flag(key: string): boolean {
    const value = this.fields[key];
    if (value === undefined || value === null) return false;
    if (typeof value === 'boolean') return value;
    throw new ProtocolError('HEADER_INVALID', `"${key}" must be a boolean`, this.identity);
  }

  date(key: string): Date | null {
    const value = this.optionalString(key);
    if (value === null) return null;
    const date = parseCeleryDate(value);
    if (date) return date;
    throw new ProtocolError(
      'DATE_INVALID',
      `"${key}" is not an ISO-8601 date: ${JSON.stringify(value)}`,
      this.identity,
    );
  }

  timeLimit(): TimeLimit {
    const value = this.fields.timelimit;
    if (value === undefined || value === null) return { hard: null, soft: null };
    if (!Array.isArray(value) || value.length !== 2 || !value.every(isLimit)) {
      throw new ProtocolError('HEADER_INVALID', '"timelimit" must be [hard, soft] seconds or nulls', this.identity);
    }
    return { hard: value[0] ?? null, soft: value[1] ?? null };
  }
}

function isLimit(value: unknown): value is number | null {
  return value === null || (typeof value === 'number' && Number.isFinite(value) && value >= 0);
}
