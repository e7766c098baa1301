/**
 * Reads events as Celery's EventReceiver does: a body that is one event object, or a list of them
 * (`task.multi`, which Celery's event-loop workers send). Every event must carry what monitors
 * index on (hostname, type, timestamp; uuid for task events), or Flower's handler fails on it.
 */
import { ProtocolError } from '../errors.js';
import { parseJson } from '../kombu-json.js';
import type { RawMessage } from '../task-message.js';
import type { DecodedEvent } from './event-types.js';

export function decodeEvents(message: RawMessage): DecodedEvent[] {
  const body = readBody(message);
  const items = Array.isArray(body) ? body : [body];
  return items.map(readEvent);
}

function readBody(message: RawMessage): unknown {
  const { contentType } = message.properties;
  if (contentType !== undefined && contentType !== 'application/json')
    throw new ProtocolError(
      'CONTENT_TYPE_REFUSED',
      `events must be application/json, got ${JSON.stringify(contentType)}`,
    );
  try {
    return parseJson(message.content.toString('utf8'));
  } catch (error) {
    throw new ProtocolError(
      'BODY_UNDECODABLE',
      `event body is not JSON: ${(error as Error).message}`,
      {},
      { cause: error },
    );
  }
}

function readEvent(value: unknown): DecodedEvent {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw shape('an event must be a JSON object');
  const event = value as Record<string, unknown>;
  if (typeof event.type !== 'string' || !event.type) throw shape('"type" must be a non-empty string');
  if (typeof event.hostname !== 'string') throw shape(`${event.type}: "hostname" must be a string`);
  if (typeof event.timestamp !== 'number') throw shape(`${event.type}: "timestamp" must be a number`);
  if (event.type.startsWith('task-') && typeof event.uuid !== 'string')
    throw shape(`${event.type}: "uuid" must be a string`);
  return {
    ...event,
    utcoffset: numberOr(event.utcoffset),
    pid: numberOr(event.pid),
    clock: numberOr(event.clock),
  } as DecodedEvent;
}

/** A missing clock or offset is 0, as Celery's receiver fills them in. */
function numberOr(value: unknown): number {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'bigint') return Number(value);
  return 0;
}

function shape(message: string): ProtocolError {
  return new ProtocolError('BODY_SHAPE_INVALID', `event: ${message}`);
}
