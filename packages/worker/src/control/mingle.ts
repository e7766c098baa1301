/**
 * Celery's mingle (reference wave2 §4.4): a starting worker broadcasts `hello` with its revoked
 * ids, takes every other worker's revoked ids and moves its clock past theirs, so a revoke sent
 * before a rolling restart still holds in the new workers. A second at most; never fatal.
 */
import { randomUUID } from 'node:crypto';
import { CONTROL_EXCHANGE, askPidbox, type AmqpConnection, type ConfirmPublisher } from '@celeriac/amqp';
import { errorMeta, type Logger } from '@celeriac/core';
import {
  decodeControlReply,
  decodeHelloRevoked,
  encodeControlRequest,
  encodeHelloRevoked,
  type RawMessage,
} from '@celeriac/protocol';
import type { LamportClock } from './lamport-clock.js';
import type { Revocations } from './revocations.js';

export interface MingleParts {
  nodeName: string;
  consuming: AmqpConnection;
  publisher: ConfirmPublisher;
  revocations: Revocations;
  clock: LamportClock;
  logger: Logger;
  /** How long replies are awaited, as Celery's 1 s. */
  timeoutMs: number;
}

/** Asks the other workers, merges what they answer; returns the nodes that answered. */
export async function mingle(parts: MingleParts): Promise<string[]> {
  const { logger } = parts;
  logger.log('info', 'mingle: searching for neighbors');
  const ticket = randomUUID();
  try {
    const replies = await askPidbox(parts.consuming, {
      timeoutMs: parts.timeoutMs,
      send: (replyTo) => sendHello(parts, ticket, replyTo),
    });
    const synced = replies.flatMap((message) => merge(parts, ticket, message));
    logger.log('info', synced.length > 0 ? 'mingle: sync complete' : 'mingle: all alone', { nodes: synced });
    return synced;
  } catch (error) {
    logger.log('warn', 'mingle failed; starting without the other workers revoked ids', errorMeta(error));
    return [];
  }
}

async function sendHello(parts: MingleParts, ticket: string, replyTo: { exchange: string; routingKey: string }) {
  const { body, properties } = encodeControlRequest({
    method: 'hello',
    arguments: { from_node: parts.nodeName, revoked: encodeHelloRevoked(parts.revocations.ids.entries()) },
    ticket,
    replyTo,
    clock: parts.clock.forward(),
    expires: (Date.now() + parts.timeoutMs) / 1000,
  });
  await parts.publisher.publish(CONTROL_EXCHANGE, '', body, properties);
}

/** One reply: the node's name when it counted, nothing for our own or a broken one. */
function merge(parts: MingleParts, ticket: string, message: RawMessage): string[] {
  try {
    const reply = decodeControlReply(message);
    if (reply.nodeName === parts.nodeName || (reply.ticket !== null && reply.ticket !== ticket)) return [];
    const body = reply.reply as { revoked?: unknown; clock?: unknown } | null;
    const revoked = decodeHelloRevoked(body?.revoked);
    if (revoked === null) throw new Error('the reply has no usable revoked ids');
    for (const { id, revokedAtMs } of revoked) parts.revocations.ids.merge(id, revokedAtMs);
    parts.clock.adjust(typeof body?.clock === 'number' ? body.clock : 0);
    return [reply.nodeName];
  } catch (error) {
    parts.logger.log('warn', 'mingle: could not use a reply', errorMeta(error));
    return [];
  }
}
