import type { Channel, ChannelModel, ConsumeMessage } from 'amqplib';
import { errorMeta, type Logger } from '@celeriac/core';
import { reopenLater } from './reopen-later.js';
import { checkQueues, declareQueue, type QueueSpec } from './topology/index.js';

export interface SerialConsumerOptions {
  /** The connection to consume on; losing it ends this consumer (its owner closes it). */
  model: ChannelModel;
  queue: QueueSpec;
  /** Handles one message; it is acked once this resolves. Must not throw. */
  handle: (message: ConsumeMessage) => Promise<void>;
  logger: Logger;
  /** Unacked messages the broker hands over at once; they are still handled one by one. @default 10 */
  prefetch?: number;
}

/**
 * Consumes one queue with manual acks, handling messages strictly one after another (for
 * commands whose order matters, like schedule edits). A channel the broker closes, or a queue
 * someone deleted, is re-declared and re-subscribed a second later; messages not started go
 * back to the queue when the consumer closes.
 */
export class SerialConsumer {
  #chain: Promise<void> = Promise.resolve();
  #channel: Channel | null = null;
  #closed = false;

  private constructor(private readonly options: SerialConsumerOptions) {}

  static async start(options: SerialConsumerOptions): Promise<SerialConsumer> {
    const consumer = new SerialConsumer(options);
    await consumer.#subscribe();
    return consumer;
  }

  /**
   * Stops consuming: the message under way is handled and acked first (a schedule command applied
   * and answered, then returned to the queue unacked, was applied again by the next leader);
   * those not started go back to the queue.
   */
  async close(): Promise<void> {
    this.#closed = true;
    await this.#chain.catch(() => undefined);
    const channel = this.#channel;
    this.#channel = null;
    await channel?.close().catch(() => undefined);
  }

  async #subscribe(): Promise<void> {
    const { model, logger } = this.options;
    // Checked on a throwaway channel first: a queue of the other type is adopted (when its spec
    // allows) and a conflict fails this call once instead of closing the channel on every retry.
    const [queue = this.options.queue] = await checkQueues(model, [this.options.queue], logger);
    const channel = await model.createChannel();
    channel.on('error', (error: Error) =>
      logger.log('warn', 'consumer channel error', { queue: queue.name, ...errorMeta(error) }),
    );
    channel.once('close', () => this.#onClose(channel));
    try {
      await declareQueue(channel, queue);
      await channel.prefetch(this.options.prefetch ?? 10);
      await channel.consume(queue.name, (message) => this.#enqueue(channel, message));
    } catch (error) {
      await channel.close().catch(() => undefined);
      throw error;
    }
    this.#channel = channel;
  }

  #onClose(channel: Channel): void {
    if (this.#closed || this.#channel !== channel) return;
    this.#channel = null;
    this.options.logger.log('warn', 'consumer channel closed; subscribing again', { queue: this.options.queue.name });
    reopenLater(
      () => !this.#closed,
      () => this.#subscribe(),
      (error) => this.options.logger.log('warn', 'consumer not restored', errorMeta(error)),
    );
  }

  #enqueue(channel: Channel, message: ConsumeMessage | null): void {
    if (message === null) return void channel.close().catch(() => undefined); // queue deleted: #onClose re-declares it
    this.#chain = this.#chain.then(() => this.#handle(channel, message));
  }

  async #handle(channel: Channel, message: ConsumeMessage): Promise<void> {
    if (this.#closed || this.#channel !== channel) return; // redelivered to the next subscription
    await this.options.handle(message);
    try {
      channel.ack(message);
    } catch (error) {
      this.options.logger.log('debug', 'could not ack on a closed channel', errorMeta(error));
    }
  }
}
