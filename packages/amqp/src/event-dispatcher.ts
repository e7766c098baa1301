import { type LamportClock } from '@celeriac/core';
import {
  encodeEventList,
  eventJson,
  eventProperties,
  eventRoutingKey,
  localUtcOffset,
  type EncodedEvent,
  type EventFieldsByType,
  type EventType,
} from '@celeriac/protocol';
import type { EventPublisher } from './event-publisher.js';

export interface EventDispatcherOptions {
  /** The sender's node name: the `hostname` of every event and its header. */
  hostname: string;
  /** The process's Lamport clock, moved forward by every event. */
  clock: LamportClock;
  /**
   * Send task events in `task.multi` lists, flushed once per turn of the event loop, as Celery's
   * event-loop workers (prefork, the default) buffer their `task` group: a message per batch
   * instead of three per task. Worker events always go alone. @default false
   */
  batchTaskEvents?: boolean;
}

/** A batch this long is sent at once rather than at the end of the loop's turn. */
const MAX_BATCH = 100;
/** utcoffset is read again this often (it changes only with daylight saving time). */
const UTC_OFFSET_TTL_MS = 60_000;

/**
 * Celery's EventDispatcher: stamps an event with the sender, its clock and the time, and hands
 * it to the publisher, which never waits. Whether an event is wanted is the caller's to decide.
 */
export class EventDispatcher {
  readonly #properties: EncodedEvent['properties'];
  #pending: string[] = [];
  #flushScheduled = false;
  #utcoffset = { value: 0, until: 0 };

  constructor(
    private readonly publisher: Pick<EventPublisher, 'publish'>,
    private readonly options: EventDispatcherOptions,
  ) {
    this.#properties = eventProperties(options.hostname);
  }

  send<T extends EventType>(type: T, fields: EventFieldsByType[T]): void {
    const json = eventJson(type, fields, this.#sender());
    if (this.options.batchTaskEvents && type.startsWith('task-')) return this.#buffer(json);
    this.publisher.publish({
      routingKey: eventRoutingKey(type),
      body: Buffer.from(json),
      properties: this.#properties,
    });
  }

  /** Sends the buffered task events now (before worker-offline, so they arrive first). */
  flush(): void {
    this.#flushScheduled = false;
    if (this.#pending.length === 0) return;
    const events = this.#pending;
    this.#pending = [];
    this.publisher.publish({ ...encodeEventList(events, this.options.hostname), properties: this.#properties });
  }

  #buffer(json: string): void {
    this.#pending.push(json);
    if (this.#pending.length >= MAX_BATCH) return this.flush();
    if (this.#flushScheduled) return;
    this.#flushScheduled = true;
    setImmediate(() => this.flush());
  }

  #sender() {
    const now = Date.now();
    if (now >= this.#utcoffset.until)
      this.#utcoffset = { value: localUtcOffset(new Date(now)), until: now + UTC_OFFSET_TTL_MS };
    return {
      hostname: this.options.hostname,
      pid: process.pid,
      clock: this.options.clock.forward(),
      now,
      utcoffset: this.#utcoffset.value,
    };
  }
}
