/**
 * Task queues, the dead-letter queue and rpc reply queues: their names and the exact flags they
 * are declared with. These mirror Celery 5.2 (reference §2.1) for classic queues and Celery 5.5's
 * `task_default_queue_type='quorum'` for quorum ones: a flag or argument that differs from a
 * peer's declaration of the same queue is a 406 that closes the channel.
 */
import type { Channel } from 'amqplib';
import { ensureQueue, isPassive } from './declare-mode.js';
import { ConfigurationError } from '@celeriac/core';

export const DEFAULT_QUEUE = 'celery';
/** Where messages that cannot be run go, with the reason in `x-celeriac-dead-*` headers. */
export const DEAD_LETTER_QUEUE = 'celeriac.dead';
/** Routing through the default exchange (`""`) with the queue name as key, as Celery does. */
export const DEFAULT_EXCHANGE = '';

/** `classic` declares no type argument (as Celery 5.2 and 5.5 do); `quorum` adds `x-queue-type: quorum`. */
export type QueueType = 'classic' | 'quorum';

/** Checks a configured queue type; `setting` names where it came from for the error. */
export function compileQueueType(value: unknown, setting: string): QueueType {
  if (value === undefined) return 'classic';
  if (value === 'classic' || value === 'quorum') return value;
  throw new ConfigurationError(`${setting} must be 'classic' or 'quorum', got ${JSON.stringify(value)}`);
}

export interface QueueSpec {
  name: string;
  type: QueueType;
  durable: boolean;
  autoDelete: boolean;
  exclusive: boolean;
  arguments: Record<string, number | string>;
  /** A direct exchange of the same name bound with the queue name, as Celery creates for task queues. */
  exchange: string | null;
  /** The exchange's type when it is not Celery's direct one (a queue added by `add_consumer`). @default 'direct' */
  exchangeType?: string;
  /** The binding key when it is not the queue name (a queue added by `add_consumer`). @default the queue name */
  routingKey?: string;
  /** Found with the other type, the queue is used as it is (only its replication differs). */
  adoptable?: boolean;
}

export interface TaskQueueOptions {
  /** Adds `x-max-priority`; every declarer of the queue (Python peers too) must use the same value. */
  maxPriority?: number;
  /** Overrides the client's, worker's or beat's default `queueType` for this queue. */
  queueType?: QueueType;
}

/**
 * A task queue as Celery declares `celery` and auto-created queues: durable, no arguments when
 * classic, `{x-queue-type: quorum}` when quorum (Celery 5.5/5.6 with task_default_queue_type
 * 'quorum'; verified with `rabbitmqctl list_queues` against a 5.6.3 worker).
 */
export function taskQueue(name: string, options: TaskQueueOptions = {}, defaultType: QueueType = 'classic'): QueueSpec {
  const type = compileQueueType(options.queueType ?? defaultType, `queueType of queue '${name}'`);
  const args = { ...typeArguments(type), ...priorityArguments(name, type, options.maxPriority) };
  return { name, type, durable: true, autoDelete: false, exclusive: false, arguments: args, exchange: name };
}

/**
 * Durable, and replicated like the task queues when those are quorum. Adoptable: workers of
 * both types share it on one vhost, and either type keeps a dead letter until someone reads it.
 */
export function deadLetterQueue(type: QueueType = 'classic'): QueueSpec {
  const args = typeArguments(type);
  return {
    name: DEAD_LETTER_QUEUE,
    type,
    durable: true,
    autoDelete: false,
    exclusive: false,
    arguments: args,
    exchange: null,
    adoptable: true,
  };
}

/**
 * A lock held by declaring it: exclusive, so only one connection has it and the broker deletes it
 * when that connection dies (beat's leader lock, a global rate limit's refiller).
 */
export function lockQueue(name: string): QueueSpec {
  return { name, type: 'classic', durable: false, autoDelete: true, exclusive: true, arguments: {}, exchange: null };
}

/** The same queue declared as the other type. */
export function withOtherType(spec: QueueSpec): QueueSpec {
  const type: QueueType = spec.type === 'quorum' ? 'classic' : 'quorum';
  const { 'x-queue-type': _type, ...rest } = spec.arguments;
  return { ...spec, type, arguments: { ...rest, ...typeArguments(type) } };
}

/** Classic is the broker's default, so only quorum is named (as Celery 5.5 declares them). */
export function typeArguments(type: QueueType): Record<string, string> {
  return type === 'quorum' ? { 'x-queue-type': 'quorum' } : {};
}

/**
 * RabbitMQ 3.10 has no priorities on quorum queues (it refuses `x-max-priority` for them, and 4.x
 * has only two fixed levels without the argument), so a priority setting there is refused at start.
 */
function priorityArguments(name: string, type: QueueType, maxPriority: number | undefined): Record<string, number> {
  if (!maxPriority) return {};
  if (type === 'quorum')
    throw new ConfigurationError(
      `queue '${name}' is a quorum queue and cannot have maxPriority ${maxPriority}: RabbitMQ has no priorities on quorum queues; drop the priority setting (--max-priority) or set queueType 'classic' for that queue`,
    );
  return { 'x-max-priority': maxPriority };
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
    type: 'classic',
    durable: true,
    autoDelete: false,
    exclusive: false,
    arguments: { 'x-expires': expiresMs },
    exchange: null,
  };
}

export async function declareQueue(channel: Channel, spec: QueueSpec): Promise<void> {
  const { durable, autoDelete, exclusive } = spec;
  await ensureQueue(channel, spec.name, { durable, autoDelete, exclusive, arguments: spec.arguments });
  // Its exchange and binding are topology apply's when this user may not declare.
  if (spec.exchange === null || isPassive(channel)) return;
  await channel.assertExchange(spec.exchange, spec.exchangeType ?? 'direct', { durable: true, autoDelete: false });
  await channel.bindQueue(spec.name, spec.exchange, spec.routingKey ?? spec.name);
}
