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

export const DELAY_LEVELS = 28;
export const MAX_DELAY_SECONDS = 2 ** DELAY_LEVELS - 1;
/** Every delayed publish enters the cascade at the top level. */
export const DELAY_ENTRY_EXCHANGE = levelName(DELAY_LEVELS - 1);
export const DELAY_DELIVERY_EXCHANGE = 'celery_delayed_delivery';

const PREFIX = new RegExp(`^(?:[01]\\.){${DELAY_LEVELS}}`);

export function levelName(level: number): string {
  return `celery_delayed_${level}`;
}

/** The routing key that makes a message wait `seconds` (1 .. MAX_DELAY_SECONDS) before reaching `routingKey`. */
export function delayRoutingKey(seconds: number, routingKey: string): string {
  if (!Number.isInteger(seconds) || seconds < 1 || seconds > MAX_DELAY_SECONDS) {
    throw new RangeError(`a lane delay must be a whole number of seconds from 1 to ${MAX_DELAY_SECONDS}, got ${seconds}`);
  }
  const bits = seconds.toString(2).padStart(DELAY_LEVELS, '0').split('').join('.');
  return `${bits}.${stripDelayPrefix(routingKey)}`;
}

/** The destination routing key of a message that went through the lanes (Celery re-reads it on retry). */
export function stripDelayPrefix(routingKey: string): string {
  return routingKey.replace(PREFIX, '');
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
