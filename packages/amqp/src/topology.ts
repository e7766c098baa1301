/**
 * The one place that knows Celeriac's AMQP topology: queue and exchange names, and the exact
 * flags they are declared with. A flag or argument that differs from a peer's declaration of
 * the same queue is a 406 that closes the channel, so these mirror Celery 5.2 (reference §2.1).
 */
import type { Channel } from 'amqplib';
import { ConfigurationError } from '@celeriac/core';

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
  return { name, durable: true, autoDelete: false, exclusive: false, arguments: { 'x-expires': expiresMs }, exchange: null };
}

export async function declareQueue(channel: Channel, spec: QueueSpec): Promise<void> {
  const { durable, autoDelete, exclusive } = spec;
  await channel.assertQueue(spec.name, { durable, autoDelete, exclusive, arguments: spec.arguments });
  if (spec.exchange === null) return;
  await channel.assertExchange(spec.exchange, 'direct', { durable: true, autoDelete: false });
  await channel.bindQueue(spec.name, spec.exchange, spec.name);
}

/** Celery's remote-control broadcast exchange (pidbox): fanout, transient, as kombu declares it. */
export const CONTROL_EXCHANGE = 'celery.pidbox';
/** Where workers answer control requests that ask for a reply: direct, transient. */
export const CONTROL_REPLY_EXCHANGE = 'reply.celery.pidbox';

/**
 * A worker's control queue, `<nodename>.celery.pidbox`, with kombu's flags and arguments
 * (expires 10 s after its worker is gone; commands older than 5 minutes are dropped).
 */
export function controlQueue(nodeName: string): QueueSpec {
  const args = { 'x-expires': 10_000, 'x-message-ttl': 300_000 };
  return { name: `${nodeName}.celery.pidbox`, durable: false, autoDelete: true, exclusive: false, arguments: args, exchange: null };
}

export async function declareControlExchanges(channel: Channel): Promise<void> {
  await channel.assertExchange(CONTROL_EXCHANGE, 'fanout', { durable: false, autoDelete: false });
  await channel.assertExchange(CONTROL_REPLY_EXCHANGE, 'direct', { durable: false, autoDelete: false });
}

/** Held (exclusive) by the leading beat of the default group; other beats retry declaring it every second. */
export const BEAT_LEADER_QUEUE = 'celeriac.beat.leader';
/** Runtime schedule edits for the leading beat of the default group (client.schedules → beat). */
export const BEAT_CONTROL_QUEUE = 'celeriac.beat.control';

/**
 * A beat group: the beats that share one leader lock and one control queue. Several
 * applications (or test runs) on one vhost each use a group of their own; `null`, the default
 * group, keeps the names above. A group `reports` uses `celeriac.beat.reports.leader` and
 * `celeriac.beat.reports.control`.
 */
export type BeatGroup = string | null;

const BEAT_GROUP_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/;

/** The group name checked: letters, digits, `_`, `.`, `-`, at most 100 characters. */
export function beatGroup(name: string | null | undefined): BeatGroup {
  if (name === null || name === undefined || name === '') return null;
  if (typeof name === 'string' && BEAT_GROUP_NAME.test(name)) return name;
  throw new ConfigurationError(`invalid beat group ${JSON.stringify(name)}: expected letters, digits, '_', '.' or '-' (at most 100 characters)`);
}

function beatQueueName(group: BeatGroup, role: 'leader' | 'control'): string {
  return group === null ? `celeriac.beat.${role}` : `celeriac.beat.${group}.${role}`;
}

/** The leader lock: exclusive, so the broker deletes it when its beat's connection dies. */
export function beatLeaderQueue(group: BeatGroup = null): QueueSpec {
  return { name: beatQueueName(group, 'leader'), durable: false, autoDelete: true, exclusive: true, arguments: {}, exchange: null };
}

/** Durable, so edits sent while no beat leads wait for the next leader (each carries a TTL). */
export function beatControlQueue(group: BeatGroup = null): QueueSpec {
  return { name: beatQueueName(group, 'control'), durable: true, autoDelete: false, exclusive: false, arguments: {}, exchange: null };
}
