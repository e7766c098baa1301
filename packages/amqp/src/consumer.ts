import type { Channel, ChannelModel, ConsumeMessage } from 'amqplib';
import { ConfigurationError, errorMeta, silentLogger, type Logger } from '@celeriac/core';
import type { AmqpConnection } from './connection.js';
import { AckBatcher } from './ack-batcher.js';
import { reopenLater } from './reopen-later.js';
import {
  bindToDelayLanes,
  checkQueues,
  declareLanesAdopting,
  declareQueue,
  type QueueSpec,
  type QueueType,
} from './topology/index.js';

/**
 * One message handed to a consumer, settled on the channel it came on. Its settle functions are
 * methods (a worker makes one delivery a task): call them on the delivery, do not pass them on detached.
 */
export interface Delivery {
  readonly message: ConsumeMessage;
  readonly queue: string;
  /** Done with it: the broker forgets it. A no-op if its channel is gone (it will be redelivered). */
  ack(): void;
  /** Put it back at the head of its queue for another delivery. */
  requeue(): void;
  /**
   * True once the channel it came on has closed: the broker has already put it back in its
   * queue, so a task not yet started must not start here (it would run twice).
   */
  orphaned(): boolean;
}

export interface ConsumerOptions {
  /** Queues to declare and consume. */
  queues: readonly QueueSpec[];
  /** Queues to declare without consuming (e.g. the dead-letter queue). */
  declareOnly?: readonly QueueSpec[];
  /**
   * Declare the delay lanes as this type (or adopt them as a peer declared them) and bind every
   * consumed queue to their exit, so delayed messages (ours and Celery 5.5's) come back to it.
   * Redone after every reconnect. @default none
   */
  delayLanes?: QueueType | null;
  /** Unacknowledged deliveries allowed per queue consumer (never a global QoS: quorum queues refuse it). */
  prefetch: number;
  onMessage: (delivery: Delivery) => void;
  logger?: Logger;
}

/**
 * Consumes task queues on a channel of its own, with manual acks and a per-consumer prefetch.
 * After every reconnect it re-declares its queues and re-subscribes; a server-side cancel (the
 * queue was deleted) is answered by re-declaring and re-subscribing a second later.
 */
export class QueueConsumer {
  readonly #logger: Logger;
  #channel: Channel | null = null;
  #model: ChannelModel | null = null;
  #acks: AckBatcher | null = null;
  /** Queue name → consumer tag on the current channel. */
  readonly #tags = new Map<string, string>();
  /** What is consumed now: the configured queues, changed at run time by add/cancel (remote control). */
  readonly #queues: QueueSpec[];
  #stopped = false;
  #unregister: () => void = () => undefined;

  private constructor(private readonly options: ConsumerOptions) {
    this.#logger = options.logger ?? silentLogger;
    this.#queues = [...options.queues];
  }

  static async start(connection: AmqpConnection, options: ConsumerOptions): Promise<QueueConsumer> {
    const consumer = new QueueConsumer(options);
    consumer.#unregister = await connection.addSetup((model) => consumer.#subscribe(model));
    return consumer;
  }

  /** The queues consumed now. */
  get queues(): readonly QueueSpec[] {
    return [...this.#queues];
  }

  /**
   * Declares and consumes one more queue, kept across reconnects (Celery's `add_consumer`).
   * False when it is consumed already.
   */
  async addQueue(spec: QueueSpec): Promise<boolean> {
    if (this.#queues.some((queue) => queue.name === spec.name)) return false;
    const channel = this.#channel;
    const acks = this.#acks;
    // A queue a peer declared otherwise is refused here, before it can close the consume channel.
    if (channel && acks && this.#model) await checkQueues(this.#model, [spec], this.#logger);
    this.#queues.push(spec);
    if (channel && acks) await this.#consume(channel, acks, spec);
    return true;
  }

  /** Stops consuming one queue (Celery's `cancel_consumer`); false when it was not consumed. */
  async cancelQueue(name: string): Promise<boolean> {
    const index = this.#queues.findIndex((queue) => queue.name === name);
    if (index < 0) return false;
    this.#queues.splice(index, 1);
    const tag = this.#tags.get(name);
    this.#tags.delete(name);
    if (tag) await this.#channel?.cancel(tag).catch(() => undefined);
    return true;
  }

  /** Stops new deliveries; the channel stays open so in-flight ones can still be acked. */
  async cancel(): Promise<void> {
    this.#stopped = true;
    this.#unregister();
    const channel = this.#channel;
    const tags = [...this.#tags.values()];
    this.#tags.clear();
    if (channel) await Promise.all(tags.map((tag) => channel.cancel(tag).catch(() => undefined)));
  }

  /** Closes the channel; unacked deliveries go back to their queues. */
  async close(): Promise<void> {
    await this.cancel();
    const channel = this.#channel;
    this.#channel = null;
    settle(() => this.#acks?.flush(), this.#logger);
    await channel?.close().catch(() => undefined);
  }

  async #subscribe(model: ChannelModel): Promise<void> {
    if (this.#stopped) return;
    // On throwaway channels first: a queue a peer declared otherwise stops the start with one
    // line instead of closing the consume channel on every reopen.
    // The declare-only queues are then declared (an adoptable one as the broker has it).
    await checkQueues(model, [...(this.options.declareOnly ?? []), ...this.#queues], this.#logger);
    const lanes = this.options.delayLanes;
    if (lanes) await declareLanesAdopting(model, lanes, this.#logger);
    const channel = await model.createChannel();
    const acks = new AckBatcher(channel, (error) =>
      this.#logger.log('debug', 'could not settle deliveries on a closed channel', errorMeta(error)),
    );
    channel.on('error', (error: Error) => this.#logger.log('warn', 'consume channel error', errorMeta(error)));
    channel.on('close', () => {
      acks.markClosed();
      this.#onClose(model, channel);
    });
    await channel.prefetch(this.options.prefetch, false);
    this.#channel = channel;
    this.#model = model;
    this.#acks = acks;
    this.#tags.clear();
    for (const spec of this.#queues) await this.#consume(channel, acks, spec);
  }

  async #consume(channel: Channel, acks: AckBatcher, spec: QueueSpec): Promise<void> {
    await declareQueue(channel, spec);
    if (this.options.delayLanes) await bindToDelayLanes(channel, spec.name);
    const { consumerTag } = await channel.consume(spec.name, (message) => this.#deliver(channel, acks, spec, message));
    this.#tags.set(spec.name, consumerTag);
  }

  #deliver(channel: Channel, acks: AckBatcher, spec: QueueSpec, message: ConsumeMessage | null): void {
    if (message === null) return this.#onServerCancel(channel, acks, spec);
    acks.received(message);
    this.options.onMessage(new ConsumedDelivery(message, spec.name, acks, this.#logger));
  }

  #onServerCancel(channel: Channel, acks: AckBatcher, spec: QueueSpec): void {
    // Cancelled by us (cancelQueue): nothing to re-subscribe.
    if (!this.#queues.includes(spec)) return;
    this.#logger.log('warn', 'broker cancelled the consumer; re-subscribing', { queue: spec.name });
    reopenLater(
      () => !this.#stopped && this.#channel === channel,
      () => this.#consume(channel, acks, spec),
      (error) => this.#logger.log('error', 're-subscribe failed', { queue: spec.name, ...errorMeta(error) }),
    );
  }

  #onClose(model: ChannelModel, channel: Channel): void {
    if (this.#channel !== channel) return;
    this.#channel = null;
    if (this.#stopped) return;
    reopenLater(
      () => !this.#stopped && !this.#channel,
      () => this.#subscribe(model),
      // A queue redeclared otherwise under a running worker stops consuming it with its one line
      // (checkQueues), loudly; a lost connection is routine and its setup hook re-subscribes.
      (error) =>
        this.#logger.log(
          error instanceof ConfigurationError ? 'error' : 'debug',
          'consume channel not reopened',
          errorMeta(error),
        ),
    );
  }
}

/** A class, not an object of closures: a worker makes one a task, thousands a second. */
class ConsumedDelivery implements Delivery {
  // Private fields: not in a copy or the JSON of a job that holds the delivery.
  readonly #acks: AckBatcher;
  readonly #logger: Logger;

  constructor(
    readonly message: ConsumeMessage,
    readonly queue: string,
    acks: AckBatcher,
    logger: Logger,
  ) {
    this.#acks = acks;
    this.#logger = logger;
  }

  ack(): void {
    this.#acks.ack(this.message);
  }

  requeue(): void {
    settle(() => this.#acks.nack(this.message, true), this.#logger);
  }

  orphaned(): boolean {
    return this.#acks.closed;
  }
}

function settle(action: () => void, logger: Logger): void {
  try {
    action();
  } catch (error) {
    // The channel closed under the delivery: the broker requeues it by itself.
    logger.log('debug', 'could not settle a delivery on a closed channel', errorMeta(error));
  }
}
