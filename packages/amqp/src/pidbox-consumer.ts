import type { Channel, ChannelModel, ConsumeMessage } from 'amqplib';
import { errorMeta, type Logger } from '@celeriac/core';
import type { AmqpConnection } from './connection.js';
import { reopenLater } from './reopen-later.js';
import { controlQueue, declareControlQueue, declareReplyExchange } from './topology/index.js';

export interface PidboxConsumerOptions {
  nodeName: string;
  logger: Logger;
  /** Called for every control message; must not throw. */
  onMessage: (message: ConsumeMessage) => void;
}

/**
 * Consumes the worker's pidbox queue `<nodename>.celery.pidbox`, bound to the `celery.pidbox`
 * fanout, without acks (as kombu's Node does: a control command is not worth redelivering).
 * On a channel of its own, so that a 406 here never stops task consumption; re-declared and
 * re-subscribed after every reconnect (the queue is auto-delete) and after a channel error.
 */
export class PidboxConsumer {
  #channel: Channel | null = null;
  #model: ChannelModel | null = null;
  #stopped = false;
  #unregister: () => void = () => undefined;
  /** Reply exchanges declared on the current connection. */
  readonly #exchanges = new Map<string, Promise<void>>();

  private constructor(private readonly options: PidboxConsumerOptions) {}

  static async start(connection: AmqpConnection, options: PidboxConsumerOptions): Promise<PidboxConsumer> {
    const consumer = new PidboxConsumer(options);
    consumer.#unregister = await connection.addSetup((model) => consumer.#subscribe(model));
    return consumer;
  }

  get queue(): string {
    return controlQueue(this.options.nodeName).name;
  }

  async close(): Promise<void> {
    this.#stopped = true;
    this.#unregister();
    const channel = this.#channel;
    this.#channel = null;
    await channel?.close().catch(() => undefined);
  }

  /**
   * Declares a requester's reply exchange (direct, transient, as kombu's Node does before it
   * replies), once per connection, on a throwaway channel: a peer that declared it otherwise
   * (406) costs that reply, not the consumer.
   */
  ensureReplyExchange(name: string): Promise<void> {
    let declared = this.#exchanges.get(name);
    if (!declared) {
      declared = this.#declareExchange(name);
      this.#exchanges.set(name, declared);
      declared.catch(() => this.#exchanges.get(name) === declared && this.#exchanges.delete(name));
    }
    return declared;
  }

  async #declareExchange(name: string): Promise<void> {
    const model = this.#model;
    if (!model) throw new Error('no broker connection to declare the reply exchange on');
    const channel = await model.createChannel();
    channel.on('error', () => undefined);
    try {
      await declareReplyExchange(channel, name);
    } finally {
      await channel.close().catch(() => undefined);
    }
  }

  async #subscribe(model: ChannelModel): Promise<void> {
    if (this.#stopped) return;
    const channel = await model.createChannel();
    channel.on('error', (error: Error) => this.options.logger.log('warn', 'control channel error', errorMeta(error)));
    channel.on('close', () => this.#onClose(model, channel));
    const spec = await declareControlQueue(channel, this.options.nodeName);
    this.#exchanges.clear();
    this.#model = model;
    this.#channel = channel;
    await channel.consume(spec.name, (message) => this.#deliver(channel, message), { noAck: true });
  }

  #deliver(channel: Channel, message: ConsumeMessage | null): void {
    // null: the broker cancelled us (the queue was deleted); reopening re-declares it.
    if (message === null) return void channel.close().catch(() => undefined);
    this.options.onMessage(message);
  }

  #onClose(model: ChannelModel, channel: Channel): void {
    if (this.#channel !== channel) return;
    this.#channel = null;
    if (this.#stopped) return;
    reopenLater(
      () => !this.#stopped && !this.#channel,
      () => this.#subscribe(model),
      (error) => this.options.logger.log('debug', 'control channel not reopened', errorMeta(error)),
    );
  }
}
