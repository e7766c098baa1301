/**
 * Celery's remote control (pidbox): the broadcast exchange, each worker's control queue and the
 * requesters' reply exchanges, declared as kombu 5.2 declares them (reference §2.1), since
 * Python workers and `celery inspect` declare the same names.
 */
import type { Channel } from 'amqplib';
import { ensureExchange } from './declare-mode.js';
import { declareQueue, type QueueSpec } from './queues.js';

/** Celery's remote-control broadcast exchange (pidbox): fanout, transient, as kombu declares it. */
export const CONTROL_EXCHANGE = 'celery.pidbox';
/** Where workers answer control requests that ask for a reply: direct, transient. */
export const CONTROL_REPLY_EXCHANGE = 'reply.celery.pidbox';

/**
 * A worker's control queue, `<nodename>.celery.pidbox`, with kombu's flags and arguments
 * (expires 10 s after its worker is gone; commands older than 5 minutes are dropped). Classic
 * and transient whatever the task queues' type: kombu declares it so with quorum task queues too.
 */
export function controlQueue(nodeName: string): QueueSpec {
  const args = { 'x-expires': 10_000, 'x-message-ttl': 300_000 };
  return {
    name: `${nodeName}.celery.pidbox`,
    type: 'classic',
    durable: false,
    autoDelete: true,
    exclusive: false,
    arguments: args,
    exchange: null,
  };
}

export async function declareControlExchanges(channel: Channel): Promise<void> {
  await ensureExchange(channel, CONTROL_EXCHANGE, 'fanout', { durable: false, autoDelete: false });
  await ensureExchange(channel, CONTROL_REPLY_EXCHANGE, 'direct', { durable: false, autoDelete: false });
}

/** Declares a worker's control queue and binds it to the broadcast exchange (declared first). */
export async function declareControlQueue(channel: Channel, nodeName: string): Promise<QueueSpec> {
  const spec = controlQueue(nodeName);
  await declareControlExchanges(channel);
  await declareQueue(channel, spec);
  await channel.bindQueue(spec.name, CONTROL_EXCHANGE, '');
  return spec;
}

/**
 * A requester's reply exchange (`reply_to.exchange` of a request, normally
 * `reply.celery.pidbox`): direct and transient, as kombu's Node declares it before it replies.
 */
export async function declareReplyExchange(channel: Channel, name: string): Promise<void> {
  await ensureExchange(channel, name, 'direct', { durable: false, autoDelete: false });
}

/**
 * A requester's reply queue `<oid>.reply.celery.pidbox`, bound to the reply exchange with key
 * `<oid>`, with kombu's arguments. Exclusive rather than kombu's transient shared queue: RabbitMQ
 * 4.3 refuses transient non-exclusive queues, and it serves only the channel that asked.
 */
export async function declareControlReplyQueue(channel: Channel, oid: string): Promise<string> {
  await declareControlExchanges(channel);
  const name = `${oid}.reply.celery.pidbox`;
  const args = { 'x-expires': 10_000, 'x-message-ttl': 300_000 };
  await channel.assertQueue(name, { exclusive: true, autoDelete: true, durable: false, arguments: args });
  await channel.bindQueue(name, CONTROL_REPLY_EXCHANGE, oid);
  return name;
}
