/**
 * A minimal Celery remote-control client for tests: broadcasts one request on `celery.pidbox`
 * exactly as kombu does (encodeControlRequest) and collects the replies addressed to it.
 */
import { randomUUID } from 'node:crypto';
import { connect, type Channel, type ConsumeMessage } from 'amqplib';
import { encodeControlRequest, fromFieldValue, parseJson } from '@celeriac/protocol';
import { BROKER_URL } from './broker.js';

export interface ControlCall {
  method: string;
  arguments?: Record<string, unknown>;
  destination?: string[] | null;
  /** Stop after this many replies. @default destination's length, else wait for the timeout */
  limit?: number;
  /** @default 3000 */
  timeoutMs?: number;
}

/** Replies, each `{ "<nodename>": reply }`, in arrival order. */
export async function controlCall(call: ControlCall): Promise<Record<string, unknown>[]> {
  const model = await connect(BROKER_URL);
  try {
    const channel = await model.createChannel();
    await channel.assertExchange('celery.pidbox', 'fanout', { durable: false, autoDelete: false });
    await channel.assertExchange('reply.celery.pidbox', 'direct', { durable: false, autoDelete: false });
    const { queue } = await channel.assertQueue('', { exclusive: true, autoDelete: true });
    await channel.bindQueue(queue, 'reply.celery.pidbox', queue);
    const ticket = randomUUID();
    const replies = collect(
      channel,
      queue,
      ticket,
      call.limit ?? call.destination?.length ?? Infinity,
      call.timeoutMs ?? 3000,
    );
    const { body, properties } = encodeControlRequest({
      method: call.method,
      arguments: call.arguments ?? {},
      destination: call.destination ?? null,
      ticket,
      replyTo: { exchange: 'reply.celery.pidbox', routingKey: queue },
      clock: 1,
      expires: Date.now() / 1000 + 5,
    });
    channel.publish('celery.pidbox', '', body, properties);
    return await replies;
  } finally {
    await model.close();
  }
}

/** Publishes raw bytes on the pidbox fanout (for malformed-message tests). */
export async function publishRawControl(content: Buffer, contentType = 'application/json'): Promise<void> {
  const model = await connect(BROKER_URL);
  try {
    const channel = await model.createConfirmChannel();
    await channel.assertExchange('celery.pidbox', 'fanout', { durable: false, autoDelete: false });
    channel.publish('celery.pidbox', '', content, { contentType, contentEncoding: 'utf-8' });
    await channel.waitForConfirms();
  } finally {
    await model.close();
  }
}

function collect(
  channel: Channel,
  queue: string,
  ticket: string,
  limit: number,
  timeoutMs: number,
): Promise<Record<string, unknown>[]> {
  const replies: Record<string, unknown>[] = [];
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => resolve(replies), timeoutMs);
    const onMessage = (message: ConsumeMessage | null) => {
      if (!message || fromFieldValue(message.properties.headers?.ticket) !== ticket) return;
      replies.push(parseJson(message.content.toString('utf8')) as Record<string, unknown>);
      if (replies.length < limit) return;
      clearTimeout(timer);
      resolve(replies);
    };
    channel.consume(queue, onMessage, { noAck: true }).catch(reject);
  });
}
