/**
 * The delivery history a task message carries in Celeriac's own headers. Classic queues keep no
 * delivery count, only a `redelivered` flag, so DeliveryCountGate republishes a redelivered task
 * with the count in a header; a task handed back at shutdown after it started is marked too.
 * Read by the gate (when to dead-letter) and by the executors (`ctx.delivery.redelivered`).
 */
import { fromFieldValue } from '@celeriac/protocol';
import type { Delivery } from '@celeriac/amqp';

/** How many deliveries of a task ended without an ack before this copy was published. */
export const DELIVERIES_HEADER = 'x-celeriac-deliveries';
/** Set on a task handed back after it had started (aborted at shutdown): its next run is a rerun. */
export const INTERRUPTED_HEADER = 'x-celeriac-interrupted';

/** The header as a peer may have typed it (int32, int64, a string, or still annotated for amqplib). */
export function previousDeliveries(headers: Record<string, unknown> | undefined): number {
  const value = Number(fromFieldValue(headers?.[DELIVERIES_HEADER]) ?? 0);
  return Number.isInteger(value) && value >= 0 ? value : 0;
}

/**
 * Whether an earlier delivery of this task ended without an ack: the broker's flag, a count
 * carried by a copy DeliveryCountGate republished (the copy itself arrives as a first delivery), or a
 * run interrupted by a shutdown.
 */
export function wasRedelivered(message: Delivery['message']): boolean {
  const headers = message.properties.headers;
  return message.fields.redelivered || previousDeliveries(headers) > 0 || fromFieldValue(headers?.[INTERRUPTED_HEADER]) === true;
}
