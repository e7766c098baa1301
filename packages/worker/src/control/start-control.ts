import { PidboxConsumer, type AmqpConnection, type ConfirmPublisher } from '@celeriac/amqp';
import { errorMeta } from '@celeriac/core';
import { controlCommands } from './commands.js';
import type { ControlContext } from './control-context.js';
import { ControlNode, type ReplySender } from './control-node.js';

export interface ControlParts {
  /** The worker's consuming connection: the pidbox queue is consumed there. */
  consuming: AmqpConnection;
  /** Replies go out on the publishing connection, like results. */
  publisher: ConfirmPublisher;
  /** What the commands may reach in the worker. */
  context: ControlContext;
}

/** Starts answering Celery's remote control (inspect and control commands) for this worker. */
export async function startControl(parts: ControlParts): Promise<PidboxConsumer> {
  const { publisher, context } = parts;
  const { nodeName, clock } = context;
  const logger = context.logger.child({ component: 'control' });
  // Messages may arrive before start() resolves: replies wait for the consumer, not fail.
  let started!: (consumer: PidboxConsumer) => void;
  const consumerReady = new Promise<PidboxConsumer>((resolve) => (started = resolve));
  const replies: ReplySender = {
    ensureExchange: async (name) => (await consumerReady).ensureReplyExchange(name),
    publish: (exchange, routingKey, message) =>
      publisher.publish(exchange, routingKey, message.body, message.properties),
  };
  const commands = controlCommands({ ...context, logger });
  const node = new ControlNode({ nodeName, commands, replies, logger, clock });
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
