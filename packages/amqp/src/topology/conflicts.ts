/**
 * Declarations that may meet a queue declared differently (by a Celery peer, or an older
 * Celeriac). RabbitMQ answers such a redeclaration with a 406 that closes the channel; made on
 * a long-lived channel that would close it again on every reopen. So declarations that can
 * conflict are first made on a throwaway channel, and a 406 becomes one line naming the queue,
 * what the broker has and the setting to change.
 */
import type { Channel, ChannelModel } from 'amqplib';
import { ConfigurationError, silentLogger, type Logger } from '@celeriac/core';
import { fallBackToPassive } from './declare-mode.js';
import { declareDelayLanes } from './delay-lanes.js';
import { declareQueue, withOtherType, type QueueSpec, type QueueType } from './queues.js';

const QUEUE_SETTING = 'queueType (--queue-type, CELERIAC_QUEUE_TYPE) or maxPriority';

/** Runs `work` on a channel of its own, closed afterwards: a 406 costs this channel only. */
export async function onThrowawayChannel<T>(model: ChannelModel, work: (channel: Channel) => Promise<T>): Promise<T> {
  try {
    return await onFreshChannel(model, work);
  } catch (error) {
    // The 403 closed that channel: once the connection is passive, the same work only checks.
    if (!fallBackToPassive(model, error)) throw error;
    return onFreshChannel(model, work);
  }
}

async function onFreshChannel<T>(model: ChannelModel, work: (channel: Channel) => Promise<T>): Promise<T> {
  const channel = await model.createChannel();
  // The failed call rejects with the same news; without a listener amqplib would escalate it.
  channel.on('error', () => undefined);
  try {
    return await work(channel);
  } finally {
    await channel.close().catch(() => undefined);
  }
}

/** The broker refused a declaration because the entity exists with other flags or arguments. */
export function isPreconditionFailed(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === 406;
}

/** The broker's words after `PRECONDITION_FAILED - `, shortened to what exists and what was asked. */
export function describeConflict(error: unknown): string {
  const text = String((error as Error | null)?.message ?? error);
  const reason = text.split('PRECONDITION_FAILED - ')[1]?.replace(/"\s*$/, '') ?? text;
  const found =
    /inequivalent arg '([^']+)' for queue '[^']*' in vhost '[^']*': received (.+) but current is (.+)$/.exec(reason);
  if (!found) return reason;
  const [, arg, asked, current] = found;
  return `it has ${arg} ${shorten(current ?? '')}, Celeriac declares ${shorten(asked ?? '')}`;
}

function shorten(value: string): string {
  return value.replace(/^the value /, '').replace(/ of type '[^']+'$/, '');
}

/** One line for a queue that exists with other arguments. */
export function conflictError(queue: string, error: unknown, setting = QUEUE_SETTING): ConfigurationError {
  return new ConfigurationError(
    `queue '${queue}' already exists with other arguments (${describeConflict(error)}); set ${setting} to match it, or delete the queue`,
    { cause: error },
  );
}

/**
 * Declares each spec on a throwaway channel first, so a conflict stops the caller instead of a
 * channel loop. An adoptable queue found with the other type is used as it is. Returns the specs
 * as the broker has them, for the declarations that follow on long-lived channels.
 */
export async function checkQueues(
  model: ChannelModel,
  specs: readonly QueueSpec[],
  logger: Logger = silentLogger,
): Promise<QueueSpec[]> {
  const checked: QueueSpec[] = [];
  for (const spec of specs) checked.push(await checkQueue(model, spec, logger));
  return checked;
}

async function checkQueue(model: ChannelModel, spec: QueueSpec, logger: Logger): Promise<QueueSpec> {
  try {
    await onThrowawayChannel(model, (channel) => declareQueue(channel, spec));
    return spec;
  } catch (error) {
    if (!isPreconditionFailed(error)) throw error;
    const other = spec.adoptable ? withOtherType(spec) : null;
    const adopted =
      other &&
      (await onThrowawayChannel(model, (channel) => declareQueue(channel, other)).then(
        () => true,
        () => false,
      ));
    if (!other || !adopted) throw conflictError(spec.name, error);
    logger.log('warn', `queue ${spec.name} exists as a ${other.type} queue; using it as it is`, {
      configured: spec.type,
    });
    return other;
  }
}

/**
 * Declares the delay lanes as `preferred`, or adopts the other type when a peer already declared
 * them so (a Celery 5.5 worker declares quorum lanes): the type only changes how they are
 * replicated, and either works for every user of the lanes, so using what is there is safe.
 * Returns the type the lanes have.
 */
export async function declareLanesAdopting(
  model: ChannelModel,
  preferred: QueueType,
  logger: Logger,
): Promise<QueueType> {
  try {
    await onThrowawayChannel(model, (channel) => declareDelayLanes(channel, preferred));
    return preferred;
  } catch (error) {
    if (!isPreconditionFailed(error)) throw error;
    const other: QueueType = preferred === 'quorum' ? 'classic' : 'quorum';
    try {
      await onThrowawayChannel(model, (channel) => declareDelayLanes(channel, other));
    } catch {
      throw conflictError('celery_delayed_*', error, 'the lanes to match (delete them when no task waits in them)');
    }
    logger.log('warn', `the delay lanes exist as ${other} queues; using them as they are`, { configured: preferred });
    return other;
  }
}
