/**
 * A Logger for a Client in the test process that keeps, with their time, the connection events
 * a broker fault causes (lost, reconnected, blocked, unblocked): what the case shows about
 * recovery is read from what the client itself reported.
 */
import type { LogLevel, LogMeta, Logger } from '@celeriac/core';

/** The messages of @celeriac/amqp's AmqpConnection that a case may wait for or count. */
export const CONNECTION_EVENTS = {
  lost: 'connection lost; reconnecting',
  connected: 'connected',
  /** A reconnect attempt that failed: refused, or the setup on the new connection failed. */
  attemptFailed: 'reconnect attempt failed',
  blocked: 'broker blocked publishing',
  unblocked: 'broker unblocked publishing',
} as const;

export type ConnectionEvent = keyof typeof CONNECTION_EVENTS;

export class EventLog implements Logger {
  readonly #events: Array<{ event: ConnectionEvent; at: number }> = [];

  /** Every event so far, oldest first, for a failure message. */
  get timeline(): string {
    return this.#events.map(({ event, at }) => `${new Date(at).toISOString().slice(11, 23)} ${event}`).join(', ');
  }

  log(_level: LogLevel, message: string, _meta?: LogMeta): void {
    const event = (Object.keys(CONNECTION_EVENTS) as ConnectionEvent[]).find(
      (key) => CONNECTION_EVENTS[key] === message,
    );
    if (event) this.#events.push({ event, at: Date.now() });
  }

  child(): Logger {
    return this;
  }

  /** When each `event` happened, oldest first. */
  times(event: ConnectionEvent): number[] {
    return this.#events.filter((entry) => entry.event === event).map((entry) => entry.at);
  }

  count(event: ConnectionEvent): number {
    return this.times(event).length;
  }

  /** The first `event` at or after `since`, if any. */
  firstAfter(event: ConnectionEvent, since: number): number | undefined {
    return this.times(event).find((at) => at >= since);
  }
}
