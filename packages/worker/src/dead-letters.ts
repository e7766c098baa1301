import { toFieldTable } from '@celeriac/protocol';
import type { ConfirmPublisher, Delivery } from '@celeriac/amqp';
import { DEAD_LETTER_QUEUE, DEFAULT_EXCHANGE } from '@celeriac/amqp';

/** Why a message was dead-lettered; `code` is stable (ProtocolError codes, NOT_REGISTERED, ...). */
export interface DeadLetterReason {
  code: string;
  message: string;
}

/**
 * Moves a message the worker cannot run to `celeriac.dead`: same body and properties, original
 * headers kept (as int32, so a Python peer can read them if it is re-driven), plus
 * `x-celeriac-dead-reason`, `-code`, `-queue`, `-at` and `-node`. The caller acks the original only
 * after this resolves, so a failed dead-letter publish loses nothing.
 */
export class DeadLetters {
  constructor(
    private readonly publisher: ConfirmPublisher,
    private readonly nodeName: string,
  ) {}

  async send(delivery: Delivery, reason: DeadLetterReason): Promise<void> {
    const { content, properties, fields } = delivery.message;
    const headers = toFieldTable({
      ...(properties.headers ?? {}),
      'x-celeriac-dead-reason': reason.message,
      'x-celeriac-dead-code': reason.code,
      'x-celeriac-dead-queue': delivery.queue,
      'x-celeriac-dead-routing-key': fields.routingKey,
      'x-celeriac-dead-at': new Date().toISOString(),
      'x-celeriac-dead-node': this.nodeName,
    });
    await this.publisher.publish(DEFAULT_EXCHANGE, DEAD_LETTER_QUEUE, content, { ...copyProperties(properties), headers, persistent: true });
  }
}

/** The AMQP properties worth keeping when a message is published again (no messageId: the publisher sets one). */
export function copyProperties(properties: Delivery['message']['properties']) {
  const { contentType, contentEncoding, correlationId, replyTo, priority, type, appId, timestamp } = properties;
  const copy: Record<string, unknown> = { contentType, contentEncoding, correlationId, replyTo, priority, type, appId, timestamp };
  return Object.fromEntries(Object.entries(copy).filter(([, value]) => value !== undefined && value !== null));
}
