import { PidboxConsumer, type AmqpConnection, type ConfirmPublisher } from '@celeriac/amqp';
import { errorMeta, type Logger } from '@celeriac/core';
import type { RateLimits } from '../gates/rate-limits.js';
import type { TaskRegistry } from '../task-registry.js';
import type { Revocations } from './revocations.js';
import { rateLimitCommand } from './rate-limit-command.js';
import { controlCommands } from './commands.js';
import { ControlNode, type ReplySender } from './control-node.js';

export interface ControlParts {
  nodeName: string;
  /** The worker's consuming connection: the pidbox queue is consumed there. */
  consuming: AmqpConnection;
  /** Replies go out on the publishing connection, like results. */
  publisher: ConfirmPublisher;
  revocations: Revocations;
  /** The worker's rate limits, which `rate_limit` changes. */
  rateLimits: RateLimits;
  tasks: TaskRegistry;
  logger: Logger;
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
  const rateLimit = rateLimitCommand(parts.rateLimits, parts.tasks, logger);
  const commands = controlCommands(parts.revocations, logger, rateLimit);
  const node = new ControlNode({ nodeName, commands, replies, logger });
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
