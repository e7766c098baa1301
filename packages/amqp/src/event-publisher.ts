import type { Channel, ChannelModel } from 'amqplib';
import { errorMeta, silentLogger, type Logger } from '@celeriac/core';
import type { AmqpConnection } from './connection.js';
import { reopenLater } from './reopen-later.js';
import { EVENT_EXCHANGE, declareEventExchange } from './topology/index.js';

export interface EventPublisherOptions {
  logger?: Logger;
  /** Events kept while the channel cannot take them (reconnecting, write buffer full); more are dropped. @default 1000 */
  bufferSize?: number;
}

/** One event ready to go: @celeriac/protocol's EncodedEvent, structurally. */
export interface OutgoingEvent {
  routingKey: string;
  body: Buffer;
  properties: { contentType: string; contentEncoding: string; deliveryMode: number; priority: number; headers: object };
}

export interface EventPublisherStats {
  sent: number;
  /** Events dropped because the buffer was full or the channel failed under them. */
  dropped: number;
  buffered: number;
}

/**
 * Publishes monitoring events to `celeryev` as Celery's dispatcher does: transient, unconfirmed,
 * on a channel of its own. publish() never waits and never throws: the task path calls it, and
 * an event is worth less than a task's time. While the channel cannot take more (the broker is
 * slow, blocked or gone) events wait in a bounded buffer; beyond it they are dropped and counted.
 */
export class EventPublisher {
  readonly #logger: Logger;
  readonly #bufferSize: number;
  readonly #buffer: OutgoingEvent[] = [];
  #channel: Channel | null = null;
  /** False while amqplib's write buffer is full, until its 'drain'. */
  #writable = false;
  #closed = false;
  #sent = 0;
  #dropped = 0;
  #unregister: () => void = () => undefined;

  private constructor(options: EventPublisherOptions) {
    this.#logger = (options.logger ?? silentLogger).child({ component: 'events' });
    this.#bufferSize = options.bufferSize ?? 1000;
  }

  static async create(connection: AmqpConnection, options: EventPublisherOptions = {}): Promise<EventPublisher> {
    const publisher = new EventPublisher(options);
    publisher.#unregister = await connection.addSetup((model) => publisher.#open(model));
    return publisher;
  }

  get stats(): EventPublisherStats {
    return { sent: this.#sent, dropped: this.#dropped, buffered: this.#buffer.length };
  }

  publish(event: OutgoingEvent): void {
    if (this.#closed) return void (this.#dropped += 1);
    if (this.#channel && this.#writable && this.#buffer.length === 0) return this.#write(this.#channel, event);
    if (this.#buffer.length < this.#bufferSize) return void this.#buffer.push(event);
    this.#dropped += 1;
  }

  /** Sends what is buffered if it can, then closes the channel (after the broker has the events written before). */
  async close(): Promise<void> {
    this.#flush();
    this.#closed = true;
    this.#unregister();
    const channel = this.#channel;
    this.#channel = null;
    this.#dropped += this.#buffer.splice(0).length;
    await channel?.close().catch(() => undefined);
  }

  /** Setup hook: never throws, so a broken `celeryev` (a peer's 406) cannot stop its process from starting. */
  async #open(model: ChannelModel): Promise<void> {
    if (this.#closed) return;
    try {
      const channel = await model.createChannel();
      channel.on('error', (error: Error) => this.#logger.log('warn', 'event channel error', errorMeta(error)));
      channel.on('close', () => this.#onClose(model, channel));
      channel.on('drain', () => this.#drained(channel));
      await declareEventExchange(channel);
      // The reconnect's hook and a reopen after a channel error can race: keep one channel.
      if (this.#channel) return void (await channel.close());
      this.#channel = channel;
      this.#writable = true;
      this.#flush();
    } catch (error) {
      this.#logger.log('warn', 'events not sent: the event channel could not be opened', errorMeta(error));
    }
  }

  #write(channel: Channel, event: OutgoingEvent): void {
    try {
      this.#writable = channel.publish(EVENT_EXCHANGE, event.routingKey, event.body, event.properties);
      this.#sent += 1;
    } catch {
      // The channel closed under us; its 'close' handler reopens it.
      this.#dropped += 1;
    }
  }

  #drained(channel: Channel): void {
    if (this.#channel !== channel) return;
    this.#writable = true;
    this.#flush();
  }

  #flush(): void {
    while (this.#channel && this.#writable && this.#buffer.length > 0)
      this.#write(this.#channel, this.#buffer.shift()!);
  }

  /**
   * A channel not (or no longer) in use closing changes nothing; one that a 406 closed while it
   * was opening waits for the next reconnect rather than failing again every second.
   */
  #onClose(model: ChannelModel, channel: Channel): void {
    if (this.#channel !== channel) return;
    this.#channel = null;
    this.#writable = false;
    if (this.#closed) return;
    reopenLater(
      () => !this.#closed && !this.#channel,
      () => this.#open(model),
      (error) => this.#logger.log('debug', 'event channel not reopened', errorMeta(error)),
    );
  }
}
