/**
 * Celery's remote-control (pidbox) messages as kombu 5.2 writes them (reference §6.1-§6.2).
 *
 * A request is broadcast on the `celery.pidbox` fanout with headers `{clock, expires}` and the
 * body `{method, arguments, destination, pattern, matcher}`, plus `ticket` and `reply_to` when
 * the sender wants replies. A reply goes to `reply_to.exchange` with the request's ticket in its
 * headers and the body `{"<nodename>": <reply>}`.
 */
import { ProtocolError } from '../errors.js';
import { toFieldTable, type FieldTable } from '../field-table.js';
import { parseJson, stringifyJson } from '../kombu-json.js';
import type { RawMessage } from '../task-message.js';

/** Where the sender of a request listens for replies. */
export interface ControlReplyTo {
  exchange: string;
  routingKey: string;
}

export interface ControlRequest {
  method: string;
  arguments: Record<string, unknown>;
  /** Node names that should act, or null for every node. */
  destination: string[] | null;
  /** With `matcher` ('glob' or 'pcre'): which node names act when there is no destination. */
  pattern: string | null;
  matcher: string | null;
  /** Matches a reply to its request; only present when a reply is wanted. */
  ticket: string | null;
  replyTo: ControlReplyTo | null;
  /** The sender's Lamport clock (0 when the header is missing). */
  clock: number;
}

export interface ControlRequestInput {
  method: string;
  arguments: Record<string, unknown>;
  destination?: string[] | null;
  ticket?: string;
  replyTo?: ControlReplyTo;
  clock: number;
  /** Epoch seconds after which replies are dropped; 0 for none (kombu's encoding). */
  expires: number;
}

export interface EncodedControlMessage {
  body: Buffer;
  properties: {
    contentType: 'application/json';
    contentEncoding: 'utf-8';
    deliveryMode: 1 | 2;
    priority: 0;
    headers: FieldTable;
  };
}

/** A request exactly as `app.control.broadcast` publishes it. */
export function encodeControlRequest(input: ControlRequestInput): EncodedControlMessage {
  const body: Record<string, unknown> = {
    method: input.method,
    arguments: input.arguments,
    destination: input.destination ?? null,
    pattern: null,
    matcher: null,
  };
  if (input.ticket !== undefined) body.ticket = input.ticket;
  if (input.replyTo) body.reply_to = { exchange: input.replyTo.exchange, routing_key: input.replyTo.routingKey };
  // Python's `time() + timeout` is a float; py-amqp writes it as a double even when it is whole.
  const headers = { clock: input.clock, expires: { '!': 'double' as const, value: input.expires } };
  return jsonMessage(body, headers, 2);
}

/** A node's reply, as kombu's `Node.reply`: transient, with the request's ticket. */
export function encodeControlReply(
  nodeName: string,
  reply: unknown,
  ticket: string | null,
  clock: number,
): EncodedControlMessage {
  return jsonMessage({ [nodeName]: reply }, { ticket, clock }, 1);
}

function jsonMessage(body: unknown, headers: Record<string, unknown>, deliveryMode: 1 | 2): EncodedControlMessage {
  const content = Buffer.from(stringifyJson(body), 'utf8');
  return {
    body: content,
    properties: {
      contentType: 'application/json',
      contentEncoding: 'utf-8',
      deliveryMode,
      priority: 0,
      headers: toFieldTable(headers),
    },
  };
}

/** Reads a request; throws a ProtocolError for anything kombu's Node would not dispatch. */
export function decodeControlRequest(message: RawMessage): ControlRequest {
  const body = readBody(message);
  if (typeof body.method !== 'string' || !body.method) throw shape('"method" must be a non-empty string');
  return {
    method: body.method,
    arguments: readArguments(body.arguments),
    destination: readDestination(body.destination),
    pattern: optionalString(body.pattern, 'pattern'),
    matcher: optionalString(body.matcher, 'matcher'),
    ticket: optionalString(body.ticket, 'ticket'),
    replyTo: readReplyTo(body.reply_to),
    clock: readClock(message.properties.headers?.clock),
  };
}

function readBody(message: RawMessage): Record<string, unknown> {
  const { contentType, contentEncoding } = message.properties;
  if (contentType !== undefined && contentType !== 'application/json') {
    throw new ProtocolError(
      'CONTENT_TYPE_REFUSED',
      `control messages must be application/json, got ${JSON.stringify(contentType)}`,
    );
  }
  if (contentEncoding !== undefined && !(typeof contentEncoding === 'string' && /^utf-?8$/i.test(contentEncoding))) {
    throw new ProtocolError(
      'CONTENT_ENCODING_REFUSED',
      `control messages must be utf-8, got ${JSON.stringify(contentEncoding)}`,
    );
  }
  let body: unknown;
  try {
    body = parseJson(message.content.toString('utf8'));
  } catch (error) {
    throw new ProtocolError(
      'BODY_UNDECODABLE',
      `control message body is not JSON: ${(error as Error).message}`,
      {},
      { cause: error },
    );
  }
  if (!isObject(body)) throw shape('the body must be a JSON object');
  return body;
}

function readArguments(value: unknown): Record<string, unknown> {
  if (value === undefined || value === null) return {};
  if (isObject(value)) return value;
  throw shape('"arguments" must be an object');
}

/** kombu's client wraps a single name in a list; a bare string is accepted the same way. */
function readDestination(value: unknown): string[] | null {
  if (value === undefined || value === null) return null;
  if (typeof value === 'string') return [value];
  if (Array.isArray(value) && value.every((name) => typeof name === 'string')) return value;
  throw shape('"destination" must be a list of node names or null');
}

function readReplyTo(value: unknown): ControlReplyTo | null {
  if (value === undefined || value === null) return null;
  if (isObject(value) && typeof value.exchange === 'string' && typeof value.routing_key === 'string') {
    return { exchange: value.exchange, routingKey: value.routing_key };
  }
  throw shape('"reply_to" must be {exchange, routing_key}');
}

function readClock(value: unknown): number {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'bigint') return Number(value);
  return 0;
}

function optionalString(value: unknown, field: string): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value === 'string') return value;
  throw shape(`"${field}" must be a string or null`);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function shape(message: string): ProtocolError {
  return new ProtocolError('BODY_SHAPE_INVALID', `control message: ${message}`);
}
