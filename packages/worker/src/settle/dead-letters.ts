import { DEAD_LETTER_FITS, deadLetterHeaders, type DeadLetterFit } from '@celeriac/protocol';
import { errorMeta, type Logger } from '@celeriac/core';
import type { ConfirmPublisher, Delivery } from '@celeriac/amqp';
import { DEAD_LETTER_QUEUE, DEFAULT_EXCHANGE, copyProperties } from '@celeriac/amqp';

/** Why a message was dead-lettered; `code` is stable (ProtocolError codes, NOT_REGISTERED, ...). */
export interface DeadLetterReason {
  code: string;
  message: string;
}

/**
 * Moves a message the worker cannot run to `celeriac.dead`: same body and properties, original
 * headers kept (as int32, so a Python peer can read them if it is re-driven), plus the
 * `x-celeriac-dead-*` headers (protocol's dead-letter.ts). The caller acks the original only
 * after this resolves, so a failed dead-letter publish loses nothing.
 *
 * A copy the broker refuses is tried again smaller (original headers cut, then left out), so a
 * message whose own headers are too big still leaves its queue exactly once instead of cycling
 * back to it forever. It rejects only when even the bare copy is refused, or the original's
 * channel closed meanwhile (the broker has requeued it, and another copy would be a duplicate).
 */
export class DeadLetters {
  constructor(
    private readonly publisher: ConfirmPublisher,
    private readonly nodeName: string,
    private readonly logger: Logger,
  ) {}

  async send(delivery: Delivery, reason: DeadLetterReason): Promise<void> {
    let refusal: unknown;
    for (const fit of DEAD_LETTER_FITS) {
      try {
        return await this.#publish(delivery, reason, fit);
      } catch (error) {
        refusal = error;
        if (delivery.orphaned()) break;
        this.logger.log('warn', 'the broker refused a dead-letter copy; trying a smaller one', {
          code: reason.code,
          fit,
          ...errorMeta(error),
        });
      }
    }
    throw refusal;
  }

  async #publish(delivery: Delivery, reason: DeadLetterReason, fit: DeadLetterFit): Promise<void> {
    const { content, properties, fields } = delivery.message;
    const stamp = {
      code: reason.code,
      reason: reason.message,
      queue: delivery.queue,
      routingKey: fields.routingKey,
      node: this.nodeName,
      at: new Date(),
    };
    const headers = deadLetterHeaders(properties.headers, stamp, fit);
    await this.publisher.publish(DEFAULT_EXCHANGE, DEAD_LETTER_QUEUE, content, {
      ...copyProperties(properties),
      headers,
      persistent: true,
    });
  }
}
