/**
 * Publishing a message so that it arrives at a due time: through the delay lanes (declared by
 * topology/delay-lanes.ts, keyed as protocol's delay-routing-key.ts spells it) for the whole
 * seconds, straight to the queue for a rest under a second, which the worker holds in memory.
 */
import { MAX_DELAY_SECONDS, delayRoutingKey } from '@celeriac/protocol';
import type { PublishProperties } from './publisher.js';
import { DEFAULT_EXCHANGE, delayEntryExchange } from './topology/index.js';

/**
 * Whole seconds a message due in `delayMs` waits in the lanes: 0 when under a second (the
 * worker holds that in memory), capped at the cascade's maximum (the worker re-lanes on arrival).
 */
export function laneSeconds(delayMs: number): number {
  if (!(delayMs >= 1000)) return 0;
  return Math.min(MAX_DELAY_SECONDS, Math.floor(delayMs / 1000));
}

/** What publishAt needs from a publisher (ConfirmPublisher has it). */
export interface DelayPublisher {
  ensureDelayTopology(queue: string): Promise<void>;
  publish(exchange: string, routingKey: string, body: Buffer, properties: PublishProperties): Promise<void>;
}

/**
 * Publishes to `queue` (which must exist) so that it arrives at `due`: through the lanes when
 * that is a second or more away, else straight to the queue (the worker holds the rest). In the
 * lanes the AMQP `expiration` is dropped: a per-message TTL shorter than a lane's TTL would
 * dead-letter it on the way, so the worker enforces the `expires` header instead.
 */
export function publishAt(
  publisher: DelayPublisher,
  queue: string,
  due: Date | null,
  body: Buffer,
  properties: PublishProperties,
  now: () => number = Date.now,
): Promise<void> {
  // Most sends have no eta: straight to the queue, without an async hop of our own.
  if (due === null) return publisher.publish(DEFAULT_EXCHANGE, queue, body, properties);
  return publishDelayed(publisher, queue, due, body, properties, now);
}

async function publishDelayed(
  publisher: DelayPublisher,
  queue: string,
  due: Date,
  body: Buffer,
  properties: PublishProperties,
  now: () => number,
): Promise<void> {
  const dueMs = due.getTime();
  if (laneSeconds(dueMs - now()) > 0) await publisher.ensureDelayTopology(queue);
  // Measured after the declaration: the first one on a connection takes a while under a burst.
  const seconds = laneSeconds(dueMs - now());
  if (seconds === 0) return publisher.publish(DEFAULT_EXCHANGE, queue, body, properties);
  const { expiration: _dropped, ...laneProperties } = properties;
  await publisher.publish(delayEntryExchange(seconds), delayRoutingKey(seconds, queue), body, laneProperties);
}
