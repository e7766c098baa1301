/**
 * Events as Celery's EventDispatcher publishes them (reference celery-wave2 §3.1, checked against
 * a Celery 5.6 worker run with `-E`): one JSON object per message on the `celeryev` topic
 * exchange, routing key = the type with `-` replaced by `.`, transient (delivery mode 1), the
 * sender's node name in a `hostname` header. Body keys in Celery's order: hostname, utcoffset,
 * pid, clock, the type's fields, timestamp, type.
 */
import { toFieldTable, type FieldTable } from '../field-table.js';
import type { EventFieldsByType, EventType } from './event-types.js';
import { PyFloat, pyJson } from './py-json.js';

/** Who sends, and when: the envelope fields that are not the type's own. */
export interface EventSender {
  hostname: string;
  pid: number;
  clock: number;
  /** Epoch milliseconds (Date.now()); written as float seconds. */
  now: number;
  /** Hours west of UTC; see localUtcOffset. */
  utcoffset: number;
}

export interface EncodedEvent {
  routingKey: string;
  body: Buffer;
  properties: {
    contentType: 'application/json';
    contentEncoding: 'utf-8';
    deliveryMode: 1;
    priority: 0;
    headers: FieldTable;
  };
}

/** Fields Python sends as floats; JSON would otherwise write a whole `freq` as `2`. */
const FLOAT_FIELDS = new Set(['freq', 'runtime']);

/** Routing key of a batch of task events, whose body is a JSON list (Celery's event-loop workers send them). */
export const TASK_MULTI_ROUTING_KEY = 'task.multi';

export function encodeEvent<T extends EventType>(
  type: T,
  fields: EventFieldsByType[T],
  sender: EventSender,
): EncodedEvent {
  return {
    routingKey: eventRoutingKey(type),
    body: Buffer.from(eventJson(type, fields, sender), 'utf8'),
    properties: eventProperties(sender.hostname),
  };
}

/**
 * One event object as Python's json writes it, to publish alone or in a task.multi list. Written
 * by concatenation in Celery's key order: this runs three times per task with events on.
 */
export function eventJson<T extends EventType>(type: T, fields: EventFieldsByType[T], sender: EventSender): string {
  let json = `{"hostname": ${pyJson(sender.hostname)}, "utcoffset": ${sender.utcoffset}, "pid": ${sender.pid}, "clock": ${sender.clock}`;
  for (const [key, value] of Object.entries(fields)) {
    if (value !== undefined) json += `, "${key}": ${pyJson(markFloat(key, value))}`;
  }
  return `${json}, "timestamp": ${pyJson(new PyFloat(sender.now / 1000))}, "type": "${type}"}`;
}

/** Task events sent together, as Celery's dispatcher flushes its buffered `task` group: one message, a list body. */
export function encodeEventList(events: readonly string[], hostname: string): EncodedEvent {
  return {
    routingKey: TASK_MULTI_ROUTING_KEY,
    body: Buffer.from(`[${events.join(', ')}]`, 'utf8'),
    properties: eventProperties(hostname),
  };
}

/** The properties of every event a node sends (its name in the `hostname` header): the same for all, built once. */
export function eventProperties(hostname: string): EncodedEvent['properties'] {
  return {
    contentType: 'application/json',
    contentEncoding: 'utf-8',
    deliveryMode: 1,
    priority: 0,
    headers: toFieldTable({ hostname }),
  };
}

/** `task-succeeded` → `task.succeeded`, as Celery routes events. */
export function eventRoutingKey(type: string): string {
  return type.replace(/-/g, '.');
}

/**
 * Hours west of UTC, as Python's `celery.utils.time.utcoffset()`: positive west, DST included.
 * JavaScript's getTimezoneOffset has the same sign, in minutes.
 */
export function localUtcOffset(date: Date = new Date()): number {
  return Math.floor(date.getTimezoneOffset() / 60);
}

function markFloat(key: string, value: unknown): unknown {
  if (FLOAT_FIELDS.has(key) && typeof value === 'number') return new PyFloat(value);
  // os.getloadavg() values are floats in Python: [0.0, 0.0, 0.0] on an idle host.
  if (key === 'loadavg' && Array.isArray(value)) return value.map((item: unknown) => markFloat('freq', item));
  return value;
}
