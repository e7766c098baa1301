/**
 * Delay lanes: the 28-level binary TTL cascade that Celery 5.5 calls native delayed delivery,
 * with kombu's names and arguments, so delayed tasks wait in the broker, never unacked in a
 * worker, and Celery 5.5 peers share the same lanes.
 *
 * Level L is a topic exchange and a queue `celery_delayed_<L>` whose messages live 2^L seconds
 * and then dead-letter to level L-1 (level 0 to `celery_delayed_delivery`). Each level's queue
 * takes the routing keys whose digit for that level is 1; its exchange passes the others straight
 * down to the next one. Destination queues are bound to `celery_delayed_delivery` with
 * `#.<queue>`. The routing-key format itself is @celeriac/protocol's (delay-routing-key.ts).
 */
import type { Channel } from 'amqplib';
import { ensureExchange, isPassive } from './declare-mode.js';
import type { QueueType } from './queues.js';
import { DELAY_LEVELS, delayEntryLevel, delayedDeliveryBindingKey, laneBindingKey } from '@celeriac/protocol';

export const DELAY_DELIVERY_EXCHANGE = 'celery_delayed_delivery';

export function levelName(level: number): string {
  return `celery_delayed_${level}`;
}

/** The top of the cascade, where Celery 5.5 enters every delayed publish (any delay may enter here). */
export const DELAY_ENTRY_EXCHANGE = levelName(DELAY_LEVELS - 1);

/**
 * Where a delay of `seconds` enters the cascade: the level of its highest 1 digit. The levels
 * above would only pass it down (their digits are 0), and each of those exchange-to-exchange
 * hops costs the broker a topic match on a 29-word key: entering at the top, a burst of 200
 * three-second delays took RabbitMQ 3.10 about 600 ms to route, entering here about 50 ms. Same
 * keys, same lanes, so Celery 5.5 peers are unaffected.
 */
export function delayEntryExchange(seconds: number): string {
  return levelName(delayEntryLevel(seconds));
}

/** Where level `level` dead-letters and passes messages down to. */
function nextExchange(level: number): string {
  return level > 0 ? levelName(level - 1) : DELAY_DELIVERY_EXCHANGE;
}

/**
 * Lane queue arguments exactly as kombu (5.5.4/5.6.2 native_delayed_delivery.py) declares them,
 * in its order, so both can declare them: quorum lanes add at-least-once dead-lettering, so a
 * delayed task cannot vanish between two levels (verified against a Celery 5.6.3 worker).
 */
export function laneQueueArguments(level: number, type: QueueType = 'classic'): Record<string, string | number> {
  return {
    'x-queue-type': type,
    'x-overflow': 'reject-publish',
    'x-message-ttl': 2 ** level * 1000,
    'x-dead-letter-exchange': nextExchange(level),
    ...(type === 'quorum' ? { 'x-dead-letter-strategy': 'at-least-once' } : {}),
  };
}

/** Declares the whole cascade (idempotent), top level first. */
export async function declareDelayLanes(channel: Channel, type: QueueType = 'classic'): Promise<void> {
  // Without declare rights the cascade is topology apply's: only checked, at its two ends.
  if (isPassive(channel)) return checkLanes(channel);
  for (let level = DELAY_LEVELS - 1; level >= 0; level--) await declareLane(channel, level, type);
}

async function declareLane(channel: Channel, level: number, type: QueueType): Promise<void> {
  const name = levelName(level);
  const next = nextExchange(level);
  await channel.assertExchange(name, 'topic', { durable: true, autoDelete: false });
  await channel.assertQueue(name, {
    durable: true,
    autoDelete: false,
    exclusive: false,
    arguments: laneQueueArguments(level, type),
  });
  await channel.bindQueue(name, name, laneBindingKey(level, 1));
  await channel.assertExchange(next, 'topic', { durable: true, autoDelete: false });
  await channel.bindExchange(next, name, laneBindingKey(level, 0));
}

async function checkLanes(channel: Channel): Promise<void> {
  const options = { durable: true, autoDelete: false };
  await ensureExchange(channel, levelName(DELAY_LEVELS - 1), 'topic', options);
  await ensureExchange(channel, DELAY_DELIVERY_EXCHANGE, 'topic', options);
}

/** Lets messages leaving the cascade reach `queue` (which must exist); topology apply's without declare rights. */
export async function bindToDelayLanes(channel: Channel, queue: string): Promise<void> {
  if (isPassive(channel)) return;
  await channel.bindQueue(queue, DELAY_DELIVERY_EXCHANGE, delayedDeliveryBindingKey(queue));
}
