import type { Channel, ChannelModel, GetMessage } from 'amqplib';
import { ConfigurationError } from '@celeriac/core';

/**
 * Reads a queue message by message (basic.get, manual acks) without a consumer, for tools that
 * look at a queue and settle only some of it (`celeriac dead`). Messages taken and not acked are
 * held by this browser and go back to the queue when it closes, in their order, so a tool that
 * dies half-way loses nothing.
 */
export class QueueBrowser {
  #closed = false;

  private constructor(
    private readonly channel: Channel,
    readonly queue: string,
    /** Messages in the queue when the browser opened (the broker's count, ready ones only). */
    readonly depth: number,
  ) {}

  /** Opens a channel of its own; the queue must exist (a passive declare, so nothing is created). */
  static async open(model: ChannelModel, queue: string): Promise<QueueBrowser> {
    const channel = await model.createChannel();
    try {
      return new QueueBrowser(channel, queue, await checkExisting(channel, queue));
    } catch (error) {
      await channel.close().catch(() => undefined);
      throw error;
    }
  }

  /** The next message, held until acked or until close(); null once the queue has no more ready. */
  async next(): Promise<GetMessage | null> {
    const message = await this.channel.get(this.queue, { noAck: false });
    return message === false ? null : message;
  }

  /** Removes a message taken with next() from the queue for good. */
  ack(message: GetMessage): void {
    this.channel.ack(message);
  }

  /** Everything taken and not acked goes back to the queue. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.channel.close().catch(() => undefined);
  }
}

/** Removes every ready message of an existing queue (as `celery purge`); returns how many. */
export async function purgeQueue(model: ChannelModel, queue: string): Promise<number> {
  const channel = await model.createChannel();
  try {
    await checkExisting(channel, queue);
    return (await channel.purgeQueue(queue)).messageCount;
  } finally {
    await channel.close().catch(() => undefined);
  }
}

/** The ready count of a queue, by a passive declare: a missing queue is one clear error, not a new queue. */
async function checkExisting(channel: Channel, queue: string): Promise<number> {
  channel.on('error', () => undefined); // a 404 rejects checkQueue with the same news
  try {
    return (await channel.checkQueue(queue)).messageCount;
  } catch (error) {
    if ((error as { code?: unknown }).code === 404)
      throw new ConfigurationError(`queue '${queue}' does not exist on this broker`, { cause: error });
    throw error;
  }
}
