import type { Delivery } from '@celeriac/amqp';

/** The AMQP properties worth keeping when a message is published again (no messageId: the publisher sets one). */
export function copyProperties(properties: Delivery['message']['properties']) {
  const { contentType, contentEncoding, correlationId, replyTo, priority, type, appId, timestamp } = properties;
  const copy: Record<string, unknown> = { contentType, contentEncoding, correlationId, replyTo, priority, type, appId, timestamp };
  return Object.fromEntries(Object.entries(copy).filter(([, value]) => value !== undefined && value !== null));
}
