/**
 * Runtime schedule edits: the leader (and only the leader) consumes `celeriac.beat.control`.
 * Each command is applied to the store and the heap, answered on its `reply_to` in Celery's
 * result format (task_id = the request's correlation id) through the confirm publisher, and
 * only then acked, so a leader that dies mid-command leaves it for the next leader. Commands run
 * one at a time, in arrival order. A malformed command is answered with FAILURE (when it says
 * where to) and acked: nothing a client sends can stop the consumer.
 */
import type { Channel, ChannelModel, ConsumeMessage } from 'amqplib';
import { encodeException, encodeResult, type ResultMeta } from '@celeriac/protocol';
import { PublishError, errorMeta, type Logger, type ScheduleCommand, type ScheduleReply } from '@celeriac/core';
import { BEAT_CONTROL_QUEUE, DEFAULT_EXCHANGE, beatControlQueue, declareQueue, type ConfirmPublisher } from '@celeriac/amqp';
import { parseCommand } from './parse-command.js';

export interface ControlDeps {
  /** The leader's lock connection: losing it ends leadership and this consumer together. */
  model: ChannelModel;
  publisher: ConfirmPublisher;
  apply: (command: ScheduleCommand) => Promise<ScheduleReply>;
  logger: Logger;
}

/** Unacked commands the broker hands over at once; they are still applied one by one. */
const PREFETCH = 10;
/** After the broker cancelled the consumer or closed its channel, subscribe again this much later. */
const RESUBSCRIBE_MS = 1000;

export class ControlConsumer {
  #chain: Promise<void> = Promise.resolve();
  #channel: Channel | null = null;
  #closed = false;

  private constructor(private readonly deps: ControlDeps) {}

  static async start(deps: ControlDeps): Promise<ControlConsumer> {
    const consumer = new ControlConsumer(deps);
    await consumer.#subscribe();
    return consumer;
  }

  /** Stops consuming; commands not yet acked go back to the queue for the next leader. */
  async close(): Promise<void> {
    this.#closed = true;
    const channel = this.#channel;
    this.#channel = null;
    await channel?.close().catch(() => undefined);
  }

  async #subscribe(): Promise<void> {
    const { model, logger } = this.deps;
    const channel = await model.createChannel();
    channel.on('error', (error: Error) => logger.log('warn', 'beat control channel error', errorMeta(error)));
    channel.once('close', () => this.#onClose(channel));
    try {
      await declareQueue(channel, beatControlQueue());
      await channel.prefetch(PREFETCH);
      await channel.consume(BEAT_CONTROL_QUEUE, (message) => this.#enqueue(channel, message));
    } catch (error) {
      await channel.close().catch(() => undefined);
      throw error;
    }
    this.#channel = channel;
  }

  /**
   * A channel the broker closed (or a queue someone deleted) must not leave the leader deaf to
   * edits; a closed connection ends leadership, and then close() is called.
   */
  #onClose(channel: Channel): void {
    if (this.#closed || this.#channel !== channel) return;
    this.#channel = null;
    this.deps.logger.log('warn', 'beat control channel closed; subscribing again', { queue: BEAT_CONTROL_QUEUE });
    setTimeout(() => {
      if (this.#closed) return;
      this.#subscribe().catch((error: unknown) => this.deps.logger.log('warn', 'beat control consumer not restored', errorMeta(error)));
    }, RESUBSCRIBE_MS).unref();
  }

  #enqueue(channel: Channel, message: ConsumeMessage | null): void {
    if (message === null) return void channel.close().catch(() => undefined); // queue deleted: #onClose re-declares it
    this.#chain = this.#chain.then(() => this.#handle(channel, message));
  }

  async #handle(channel: Channel, message: ConsumeMessage): Promise<void> {
    if (this.#closed || this.#channel !== channel) return; // redelivered to the next subscription or leader
    const meta = await this.#execute(message);
    await this.#reply(message, meta);
    try {
      channel.ack(message);
    } catch (error) {
      this.deps.logger.log('debug', 'could not ack a schedule command on a closed channel', errorMeta(error));
    }
  }

  /** The result to send back: never throws, whatever the message holds. */
  async #execute(message: ConsumeMessage): Promise<ResultMeta> {
    const requestId = requestIdOf(message);
    try {
      const command = parseCommand(message.content);
      const reply = await this.deps.apply(command);
      this.deps.logger.log('info', 'schedule command applied', { op: command.op, requestId });
      return { task_id: requestId, status: 'SUCCESS', result: reply, traceback: null, children: [] };
    } catch (error) {
      this.deps.logger.log('warn', 'schedule command refused', { requestId, ...errorMeta(error) });
      return { task_id: requestId, status: 'FAILURE', result: encodeException(error), traceback: null, children: [] };
    }
  }

  async #reply(message: ConsumeMessage, meta: ResultMeta): Promise<void> {
    const replyTo: unknown = message.properties.replyTo;
    if (typeof replyTo !== 'string' || replyTo.length === 0) return;
    const { body, properties } = encodeResult(meta, meta.task_id);
    try {
      await this.deps.publisher.publish(DEFAULT_EXCHANGE, replyTo, body, properties);
    } catch (error) {
      const gone = error instanceof PublishError && error.code === 'PUBLISH_UNROUTABLE';
      this.deps.logger.log(gone ? 'info' : 'warn', gone ? "schedule reply not delivered: the caller's reply queue is gone" : 'schedule reply failed', { requestId: meta.task_id, ...errorMeta(error) });
    }
  }
}

/** The client's request id travels as the correlation id; a message without one still gets an answer. */
function requestIdOf(message: ConsumeMessage): string {
  const id: unknown = message.properties.correlationId ?? message.properties.messageId;
  return typeof id === 'string' && id.length > 0 ? id : 'unknown';
}
