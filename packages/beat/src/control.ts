/**
 * Runtime schedule edits: the leader (and only the leader) consumes its group's control queue
 * (`celeriac.beat.control` for the default group).
 * Each command is applied to the store and the heap, answered on its `reply_to` in Celery's
 * result format (task_id = the request's correlation id) through the confirm publisher, and
 * only then acked, so a leader that dies mid-command leaves it for the next leader. Commands run
 * one at a time, in arrival order. A malformed command is answered with FAILURE (when it says
 * where to) and acked: nothing a client sends can stop the consumer.
 */
import {
  encodeResult,
  scheduleFailure,
  scheduleRequestId,
  scheduleSuccess,
  type ResultMeta,
  type ScheduleCommand,
  type ScheduleReply,
} from '@celeriac/protocol';
import { PublishError, errorMeta, type Logger } from '@celeriac/core';
import {
  DEFAULT_EXCHANGE,
  SerialConsumer,
  beatControlQueue,
  type AmqpChannelModel,
  type AmqpMessage,
  type BeatGroup,
  type ConfirmPublisher,
  type QueueType,
} from '@celeriac/amqp';
import { parseCommand } from './parse-command.js';

export interface ControlDeps {
  /** The leader's lock connection: losing it ends leadership and this consumer together. */
  model: AmqpChannelModel;
  publisher: ConfirmPublisher;
  apply: (command: ScheduleCommand) => Promise<ScheduleReply>;
  logger: Logger;
  group: BeatGroup;
  /** The application's queue type: the control queue is replicated like its task queues. */
  queueType: QueueType;
}

/** Answers schedule commands on the control queue, one at a time, in the order they came. */
export class ControlConsumer {
  #consumer: SerialConsumer | null = null;

  private constructor(private readonly deps: ControlDeps) {}

  static async start(deps: ControlDeps): Promise<ControlConsumer> {
    const control = new ControlConsumer(deps);
    control.#consumer = await SerialConsumer.start({
      model: deps.model,
      queue: beatControlQueue(deps.group, deps.queueType),
      logger: deps.logger,
      handle: (message) => control.#handle(message),
    });
    return control;
  }

  /** Stops consuming once the command under way is answered and acked; the rest go back to the queue for the next leader. */
  async close(): Promise<void> {
    await this.#consumer?.close();
  }

  async #handle(message: AmqpMessage): Promise<void> {
    const meta = await this.#execute(message);
    await this.#reply(message, meta);
  }

  /** The result to send back: never throws, whatever the message holds. */
  async #execute(message: AmqpMessage): Promise<ResultMeta> {
    const requestId = scheduleRequestId(message.properties);
    try {
      const command = parseCommand(message.content);
      const reply = await this.deps.apply(command);
      this.deps.logger.log('info', 'schedule command applied', { op: command.op, requestId });
      return scheduleSuccess(requestId, reply);
    } catch (error) {
      this.deps.logger.log('warn', 'schedule command refused', { requestId, ...errorMeta(error) });
      return scheduleFailure(requestId, error);
    }
  }

  async #reply(message: AmqpMessage, meta: ResultMeta): Promise<void> {
    const replyTo: unknown = message.properties.replyTo;
    if (typeof replyTo !== 'string' || replyTo.length === 0) return;
    const { body, properties } = encodeResult(meta, meta.task_id);
    try {
      await this.deps.publisher.publish(DEFAULT_EXCHANGE, replyTo, body, properties);
    } catch (error) {
      const gone = error instanceof PublishError && error.code === 'PUBLISH_UNROUTABLE';
      this.deps.logger.log(
        gone ? 'info' : 'warn',
        gone ? "schedule reply not delivered: the caller's reply queue is gone" : 'schedule reply failed',
        { requestId: meta.task_id, ...errorMeta(error) },
      );
    }
  }
}
