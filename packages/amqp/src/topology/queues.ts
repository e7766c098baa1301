/**
 * Task queues, the dead-letter queue and rpc reply queues: their names and the exact flags they
 * are declared with. These mirror Celery 5.2 (reference §2.1): a flag or argument that differs
 * from a peer's declaration of the same queue is a 406 that closes the channel.
 */
import type { Channel } from 'amqplib';

export const DEFAULT_QUEUE = 'celery';
/** Where messages that cannot be run go, with the reason in `x-celeriac-dead-*` headers. */
export const DEAD_LETTER_QUEUE = 'celeriac.dead';
/** Routing through the default exchange (`""`) with the queue name as key, as Celery does. */
export const DEFAULT_EXCHANGE = '';

export interface QueueSpec {
  name: string;
  durable: boolean;
  autoDelete: boolean;
  exclusive: boolean;
  arguments: Record<string, number | string>;
  /** A direct exchange of the same name bound with the queue name, as Celery creates for task queues. */
  exchange: string | null;
}

export interface TaskQueueOptions {
  /** Adds `x-max-priority`; every declarer of the queue (Python peers too) must use the same value. */
  maxPriority?: number;
}

/** A task queue as Celery declares `celery` and auto-created queues: durable, no arguments. */
export function taskQueue(name: string, options: TaskQueueOptions = {}): QueueSpec {
  const args: Record<string, number> = options.maxPriority ? { 'x-max-priority': options.maxPriority } : {};
  return { name, durable: true, autoDelete: false, exclusive: false, arguments: args, exchange: name };
}

export function deadLetterQueue(): QueueSpec {
  return { name: DEAD_LETTER_QUEUE, durable: true, autoDelete: false, exclusive: false, arguments: {}, exchange: null };
}

/**
 * A client's rpc reply queue. Durable with `x-expires` rather than Celery's transient auto-delete
 * queue: results published while the client reconnects wait for it instead of vanishing with the
 * queue, an unused queue still disappears by itself, and RabbitMQ 4.3 refuses transient
 * non-exclusive queues. Python workers never declare it, so no peer can disagree.
 */
export function replyQueue(name: string, expiresMs: number): QueueSpec {
  return {
    name,
    durable: true,
    autoDelete: false,
    exclusive: false,
    arguments: { 'x-expires': expiresMs },
    exchange: null,
  };
}

export async function declareQueue(channel: Channel, spec: QueueSpec): Promise<void> {
  const { durable, autoDelete, exclusive } = spec;
  await channel.assertQueue(spec.name, { durable, autoDelete, exclusive, arguments: spec.arguments });
  if (spec.exchange === null) return;
  await channel.assertExchange(spec.exchange, 'direct', { durable: true, autoDelete: false });
  await channel.bindQueue(spec.name, spec.exchange, spec.name);
}
