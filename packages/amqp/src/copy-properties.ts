type KeptProperties = Readonly<
  Partial<
    Record<
      'contentType' | 'contentEncoding' | 'correlationId' | 'replyTo' | 'priority' | 'type' | 'appId' | 'timestamp',
      unknown
    >
  >
>;

/** The AMQP properties worth keeping when a message is published again (no messageId: the publisher sets one). */
export function copyProperties(properties: object): Record<string, unknown> {
  // amqplib types most properties `any`: read them as what they may be.
  const { contentType, contentEncoding, correlationId, replyTo, priority, type, appId, timestamp } =
    properties as KeptProperties;
  const copy: Record<string, unknown> = {
    contentType,
    contentEncoding,
    correlationId,
    replyTo,
    priority,
    type,
    appId,
    timestamp,
  };
  return Object.fromEntries(Object.entries(copy).filter(([, value]) => value !== undefined && value !== null));
}
