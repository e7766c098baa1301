/**
 * Celeriac's own delivery-count headers (Celery has none). A classic queue keeps no delivery
 * count, only a `redelivered` flag, so a worker that meets a redelivered task republishes it
 * with the count of deliveries that ended without an ack, and dead-letters it once the count
 * reaches its limit: a message that keeps killing workers cannot loop forever.
 */
import { fromFieldValue, toFieldTable, type FieldTable } from './field-table.js';

/** How many deliveries of a task ended without an ack before this copy was published (int32). */
export const DELIVERIES_HEADER = 'x-celeriac-deliveries';
/** `true` on a task handed back after it had started (aborted at shutdown): its next run is a rerun. */
export const INTERRUPTED_HEADER = 'x-celeriac-interrupted';

/** The count as a peer may have typed it (int32, int64, a string, or still annotated for amqplib); 0 if absent or unusable. */
export function readDeliveries(headers: Record<string, unknown> | undefined): number {
  const value = Number(fromFieldValue(headers?.[DELIVERIES_HEADER]) ?? 0);
  return Number.isInteger(value) && value >= 0 ? value : 0;
}

/**
 * The count a quorum queue keeps itself and stamps on each redelivery: deliveries of the message
 * that ended without an ack. 0 when absent or unusable (classic queues never set it).
 */
export const BROKER_DELIVERY_COUNT_HEADER = 'x-delivery-count';

export function readBrokerDeliveries(headers: Record<string, unknown> | undefined): number {
  const value = Number(fromFieldValue(headers?.[BROKER_DELIVERY_COUNT_HEADER]) ?? 0);
  return Number.isInteger(value) && value >= 0 ? value : 0;
}

export function readInterrupted(headers: Record<string, unknown> | undefined): boolean {
  return fromFieldValue(headers?.[INTERRUPTED_HEADER]) === true;
}

/** The headers of a republished copy: the original's, with the count and, after an aborted run, the interrupted flag. */
export function countedHeaders(
  headers: Record<string, unknown> | undefined,
  deliveries: number,
  interrupted = false,
): FieldTable {
  const flag = interrupted ? { [INTERRUPTED_HEADER]: true } : {};
  return toFieldTable({ ...(headers ?? {}), [DELIVERIES_HEADER]: deliveries, ...flag });
}
