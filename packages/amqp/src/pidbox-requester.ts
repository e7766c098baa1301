/**
 * The asking side of Celery's pidbox, as kombu's `Mailbox._broadcast` with a reply: a reply queue
 * `<oid>.reply.celery.pidbox` bound to `reply.celery.pidbox` with key `<oid>`, the request sent,
 * then every reply collected until the timeout (or the limit). Used by a worker's mingle.
 */
import { randomUUID } from 'node:crypto';
import type { Channel, ConsumeMessage } from 'amqplib';
import type { AmqpConnection } from './connection.js';
import { CONTROL_REPLY_EXCHANGE, declareControlReplyQueue } from './topology/index.js';

export interface PidboxAsk {
  /** Publishes the request; `routingKey` is where its replies come back on CONTROL_REPLY_EXCHANGE. */
  send(replyTo: { exchange: string; routingKey: string }): Promise<void>;
  timeoutMs: number;
  /** Stop early after this many replies. @default none */
  limit?: number;
}

/** Sends one request and returns the replies that came within the timeout, in arrival order. */
export async function askPidbox(connection: AmqpConnection, ask: PidboxAsk): Promise<ConsumeMessage[]> {
  const channel = await openChannel(connection);
  channel.on('error', () => undefined);
  try {
    const oid = randomUUID();
    const queue = await declareControlReplyQueue(channel, oid);
    const replies = collect(channel, queue, ask);
    // A failed send closes the channel under the pending consume; its rejection must not go
    // unhandled (it took the whole process down): the send's error is this call's.
    replies.catch(() => undefined);
    await ask.send({ exchange: CONTROL_REPLY_EXCHANGE, routingKey: oid });
    return await replies;
  } finally {
    await channel.close().catch(() => undefined);
  }
}

/** A channel on the connection's current model: the setup hook hands it over, then is removed. */
async function openChannel(connection: AmqpConnection): Promise<Channel> {
  let opened: Promise<Channel> | null = null;
  const unregister = await connection.addSetup(async (model) => {
    opened ??= model.createChannel();
    await opened;
  });
  unregister();
  if (!opened) throw new Error('no broker connection to ask the pidbox on');
  return opened;
}

async function collect(channel: Channel, queue: string, ask: PidboxAsk): Promise<ConsumeMessage[]> {
  const replies: ConsumeMessage[] = [];
  let done!: () => void;
  const finished = new Promise<void>((resolve) => (done = resolve));
  const timer = setTimeout(done, ask.timeoutMs);
  await channel.consume(
    queue,
    (message) => {
      if (message) replies.push(message);
      if (ask.limit !== undefined && replies.length >= ask.limit) done();
    },
    { noAck: true },
  );
  await finished;
  clearTimeout(timer);
  return replies;
}
