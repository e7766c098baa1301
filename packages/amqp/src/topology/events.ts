/**
 * Celery's monitoring events: the `celeryev` topic exchange every worker and client publishes
 * events to, and the receivers' queues, declared as Celery 5.2-5.6 declares them (reference
 * §2.1, checked with `rabbitmqctl list_exchanges` after a Celery 5.6 worker ran with `-E`):
 * the exchange durable, not auto-delete; a receiver's queue transient, auto-delete, expiring a
 * minute after its receiver is gone and dropping events older than 5 s.
 */
import { randomUUID } from 'node:crypto';
import type { Channel } from 'amqplib';
import { ensureExchange } from './declare-mode.js';
import { declareQueue, type QueueSpec } from './queues.js';

/** Celery's `event_exchange`. Declared otherwise, a Python peer's declaration fails with a 406. */
export const EVENT_EXCHANGE = 'celeryev';

export async function declareEventExchange(channel: Channel): Promise<void> {
  await ensureExchange(channel, EVENT_EXCHANGE, 'topic', { durable: true, autoDelete: false });
}

/** A receiver's queue, `celeryev.<uuid>` as Celery names it, with Celery's event_queue_ttl/expires. */
export function eventQueue(name = `celeryev.${randomUUID()}`): QueueSpec {
  return {
    name,
    type: 'classic',
    durable: false,
    autoDelete: true,
    exclusive: false,
    arguments: { 'x-expires': 60_000, 'x-message-ttl': 5_000 },
    exchange: null,
  };
}

/**
 * Declares a receiver's queue bound to `celeryev` with `bindingKey`: `#` for every event,
 * `worker.#` for worker events only (Celery's gossip), `task.#` for task events.
 */
export async function declareEventQueue(channel: Channel, spec: QueueSpec, bindingKey = '#'): Promise<void> {
  await declareEventExchange(channel);
  await declareQueue(channel, spec);
  await channel.bindQueue(spec.name, EVENT_EXCHANGE, bindingKey);
}
