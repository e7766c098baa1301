/**
 * Delay lanes: the 28-level binary TTL cascade that Celery 5.5 calls native delayed delivery,
 * with the same names, so delayed tasks wait in the broker and never unacked in a worker.
 *
 * Level L is a topic exchange and a queue `celery_delayed_<L>` whose messages live 2^L seconds
 * and then dead-letter to level L-1 (level 0 to `celery_delayed_delivery`). The routing key
 * spells the delay in seconds as 28 binary digits, most significant first, then the destination
 * routing key: `0.0.…1.0.1.celery`. Each level's queue takes keys whose bit for that level is 1;
 * the others pass straight down to the next exchange. Destination queues are bound to
 * `celery_delayed_delivery` with `#.<queue>`. Delays are whole seconds; the worker holds the
 * sub-second rest of an ETA in memory (at most one second).
 */
import type { Channel } from 'amqplib';
import type { PublishProperties } from './publisher.js';
import { DEFAULT_EXCHANGE } from './topology.js';

export const DELAY_LEVELS = 28;
export const MAX_DELAY_SECONDS = 2 ** DELAY_LEVELS - 1;
/** The top of the cascade, where Celery 5.5 enters every delayed publish (any delay may enter here). */
export const DELAY_ENTRY_EXCHANGE = levelName(DELAY_LEVELS - 1);
export const DELAY_DELIVERY_EXCHANGE = 'celery_delayed_delivery';

const PREFIX = new RegExp(`^(?:[01]\\.){${DELAY_LEVELS}}`);

export function levelName(level: number): string {
  return `celery_delayed_${level}`;
}

/** The routing key that makes a message wait `seconds` (1 .. MAX_DELAY_SECONDS) before reaching `routingKey`. */
export function delayRoutingKey(seconds: number, routingKey: string): string {
  assertLaneSeconds(seconds);
  const bits = seconds.toString(2).padStart(DELAY_LEVELS, '0').split('').join('.');
  return `${bits}.${stripDelayPrefix(routingKey)}`;
}

/** The destination routing key of a message that went through the lanes (Celery re-reads it on retry). */
export function stripDelayPrefix(routingKey: string): string {
  return routingKey.replace(PREFIX, '');
}

/**
 * Where a delay of `seconds` enters the cascade: the level of its highest 1 bit. The levels above
 * would only pass it down (their bits are 0), and each of those exchange-to-exchange hops costs
 * the broker a topic match on a 29-word key: entering at the top, a burst of 200 three-second
 * delays took RabbitMQ 3.10 about 600 ms to route, entering here about 50 ms. Same keys, same
 * lanes, so Celery 5.5 peers are unaffected.
 */
export function delayEntryExchange(seconds: number): string {
  assertLaneSeconds(seconds);
  return levelName(31 - Math.clz32(seconds));
}

function assertLaneSeconds(seconds: number): void {
  if (!Number.isInteger(seconds) || seconds < 1 || seconds > MAX_DELAY_SECONDS) {
    throw new RangeError(`a lane delay must be a whole number of seconds from 1 to ${MAX_DELAY_SECONDS}, got ${seconds}`);
  }
}

/** Lane queue arguments exactly as kombu declares them for classic queues, so both can declare them. */
export function laneQueueArguments(level: number): Record<string, string | number> {
  return {
    'x-queue-type': 'classic',
    'x-overflow': 'reject-publish',
    'x-message-ttl': 2 ** level * 1000,
    'x-dead-letter-exchange': level > 0 ? levelName(level - 1) : DELAY_DELIVERY_EXCHANGE,
  };
}

/** Declares the whole cascade (idempotent). */
export async function declareDelayLanes(channel: Channel): Promise<void> {
  for (let level = DELAY_LEVELS - 1; level >= 0; level--) {
    const name = levelName(level);
    const skip = '*.'.repeat(DELAY_LEVELS - 1 - level);
    await channel.assertExchange(name, 'topic', { durable: true, autoDelete: false });
    await channel.assertQueue(name, { durable: true, autoDelete: false, exclusive: false, arguments: laneQueueArguments(level) });
    await channel.bindQueue(name, name, `${skip}1.#`);
    const next = level > 0 ? levelName(level - 1) : DELAY_DELIVERY_EXCHANGE;
    if (level === 0) await channel.assertExchange(DELAY_DELIVERY_EXCHANGE, 'topic', { durable: true, autoDelete: false });
    else await channel.assertExchange(next, 'topic', { durable: true, autoDelete: false });
    await channel.bindExchange(next, name, `${skip}0.#`);
  }
}

/** Lets messages leaving the cascade reach `queue`. */
export async function bindToDelayLanes(channel: Channel, queue: string): Promise<void> {
  await channel.bindQueue(queue, DELAY_DELIVERY_EXCHANGE, `#.${queue}`);
}

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
export function publishAt(publisher: DelayPublisher, queue: string, due: Date | null, body: Buffer, properties: PublishProperties, now: () => number = Date.now): Promise<void> {
  // Most sends have no eta: straight to the queue, without an async hop of our own.
  if (due === null) return publisher.publish(DEFAULT_EXCHANGE, queue, body, properties);
  return publishDelayed(publisher, queue, due, body, properties, now);
}

async function publishDelayed(publisher: DelayPublisher, queue: string, due: Date, body: Buffer, properties: PublishProperties, now: () => number): Promise<void> {
  const dueMs = due.getTime();
  if (laneSeconds(dueMs - now()) > 0) await publisher.ensureDelayTopology(queue);
  // Measured after the declaration: the first one on a connection takes a while under a burst.
  const seconds = laneSeconds(dueMs - now());
  if (seconds === 0) return publisher.publish(DEFAULT_EXCHANGE, queue, body, properties);
  const { expiration: _dropped, ...laneProperties } = properties;
  await publisher.publish(delayEntryExchange(seconds), delayRoutingKey(seconds, queue), body, laneProperties);
}
