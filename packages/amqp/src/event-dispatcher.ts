import { type LamportClock } from '@celeriac/core';
import { encodeEvent, localUtcOffset, type EventFieldsByType, type EventType } from '@celeriac/protocol';
import type { EventPublisher } from './event-publisher.js';

export interface EventDispatcherOptions {
  /** The sender's node name: the `hostname` of every event and its header. */
  hostname: string;
  /** The process's Lamport clock, moved forward by every event. */
  clock: LamportClock;
}

/**
 * Celery's EventDispatcher: stamps an event with the sender, its clock and the time, and hands
 * it to the publisher, which never waits. Whether an event is wanted is the caller's to decide.
 */
export class EventDispatcher {
  constructor(
    private readonly publisher: Pick<EventPublisher, 'publish'>,
    private readonly options: EventDispatcherOptions,
  ) {}

  get hostname(): string {
    return this.options.hostname;
  }

  send<T extends EventType>(type: T, fields: EventFieldsByType[T]): void {
    const now = Date.now();
    const sender = {
      hostname: this.options.hostname,
      pid: process.pid,
      clock: this.options.clock.forward(),
      now,
      utcoffset: localUtcOffset(new Date(now)),
    };
    this.publisher.publish(encodeEvent(type, fields, sender));
  }
}
