import { PidboxConsumer, type AmqpConnection, type ConfirmPublisher } from '@celeriac/amqp';
import { errorMeta, type LamportClock, type Logger } from '@celeriac/core';
import type { TaskEventsSwitch } from '../events/task-events.js';
import type { Revocations } from './revocations.js';
import { controlCommands } from './commands.js';
import { ControlNode, type ReplySender } from './control-node.js';

export interface ControlParts {
  nodeName: string;
  /** The worker's consuming connection: the pidbox queue is consumed there. */
  consuming: AmqpConnection;
  /** Replies go out on the publishing connection, like results. */
  publisher: ConfirmPublisher;
  revocations: Revocations;
  logger: Logger;
  /** The worker's task events switch, for enable_events/disable_events. */
  events?: TaskEventsSwitch;
  /** The process's Lamport clock, shared with its events. */
  clock?: LamportClock;
}

/** Starts answering Celery's remote control (ping, revoke, terminate) for this worker. */
export async function startControl(parts: ControlParts): Promise<PidboxConsumer> {
  const { nodeName, publisher } = parts;
  const logger = parts.logger.child({ component: 'control' });
  // Messages may arrive before start() resolves: replies wait for the consumer, not fail.
  let started!: (consumer: PidboxConsumer) => void;
  const consumerReady = new Promise<PidboxConsumer>((resolve) => (started = resolve));
  const replies: ReplySender = {
    ensureExchange: async (name) => (await consumerReady).ensureReplyExchange(name),
    publish: (exchange, routingKey, message) =>
      publisher.publish(exchange, routingKey, message.body, message.properties),
  };
  const commands = controlCommands(parts.revocations, logger, parts.events);
  const node = new ControlNode({ nodeName, commands, replies, logger, clock: parts.clock });
  const consumer = await PidboxConsumer.start(parts.consuming, {
    nodeName,
    logger,
    onMessage: (message) =>
      void node
        .handle(message)
        .catch((error: unknown) => logger.log('error', 'control message handling failed', errorMeta(error))),
  });
  started(consumer);
  return consumer;
}
