/**
 * The delivery history a task message carries in Celeriac's own headers. Classic queues keep no
 * delivery count, only a `redelivered` flag, so DeliveryCountGate republishes a redelivered task
 * with the count in a header; a task handed back at shutdown after it started is marked too.
 * Read by the gate (when to dead-letter) and by the executors (`ctx.delivery.redelivered`).
 */
import { readDeliveries, readInterrupted } from '@celeriac/protocol';
import type { Delivery } from '@celeriac/amqp';

/**
 * Whether an earlier delivery of this task ended without an ack: the broker's flag, a count
 * carried by a copy DeliveryCountGate republished (the copy itself arrives as a first delivery), or a
 * run interrupted by a shutdown.
 */
export function wasRedelivered(message: Delivery['message']): boolean {
  const headers = message.properties.headers;
  return message.fields.redelivered || readDeliveries(headers) > 0 || readInterrupted(headers);
}
