/**
 * Replies to Celery's remote-control (pidbox) requests, as a Celery 5.2 worker answers them
 * (reference §6.2): the body `{"<nodename>": <reply>}`, the request's ticket and the node's
 * Lamport clock in the headers. Replies follow Celery's convention `{ok: value}` on success and
 * `{error: "<Python repr of the exception>"}` on failure; the publishing side is
 * `encodeControlReply` in message.ts, this file holds the reply bodies and the reader.
 */
import { ProtocolError } from '../errors.js';
import { fromFieldValue } from '../field-table.js';
import { parseJson } from '../kombu-json.js';
import type { RawMessage } from '../task-message.js';

/** One node's answer, as a requester reads it. */
export interface ControlReply {
  nodeName: string;
  reply: unknown;
  /** The request's ticket, or null when the reply carries none (kombu counts that as a match). */
  ticket: string | null;
  clock: number;
}

export function okReply(value: unknown): { ok: unknown } {
  return { ok: value };
}

/** A command that threw: Celery sends the exception's Python repr, e.g. `ValueError('bad id')`. */
export function errorReply(error: unknown): { error: string } {
  if (error instanceof Error) return { error: `${error.name}(${pyString(error.message)})` };
  return { error: `Exception(${pyString(String(error))})` };
}

/** What a Celery worker answers to a command it does not have: `{error: "KeyError('name')"}`. */
export function unknownCommandReply(method: string): { error: string } {
  return { error: `KeyError(${pyString(method)})` };
}

/** A single-quoted Python string literal, as `repr()` writes the argument of an exception. */
function pyString(text: string): string {
  return `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** Reads one reply; a body that is not `{"<nodename>": reply}` with exactly one node is a ProtocolError. */
export function decodeControlReply(message: RawMessage): ControlReply {
  const body = readBody(message.content);
  const entries = Object.entries(body);
  if (entries.length !== 1) throw shape(`a reply names exactly one node, got ${entries.length}`);
  const [nodeName, reply] = entries[0]!;
  const headers = message.properties.headers;
  const ticket = fromFieldValue(headers?.ticket);
  const clock = Number(fromFieldValue(headers?.clock) ?? 0);
  return {
    nodeName,
    reply,
    ticket: typeof ticket === 'string' ? ticket : null,
    clock: Number.isFinite(clock) ? clock : 0,
  };
}

function readBody(content: Buffer): Record<string, unknown> {
  let body: unknown;
  try {
    body = parseJson(content.toString('utf8'));
  } catch (error) {
    throw new ProtocolError(
      'BODY_UNDECODABLE',
      `control reply body is not JSON: ${(error as Error).message}`,
      {},
      { cause: error },
    );
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw shape('the body must be a JSON object');
  return body as Record<string, unknown>;
}

function shape(message: string): ProtocolError {
  return new ProtocolError('BODY_SHAPE_INVALID', `control reply: ${message}`);
}
