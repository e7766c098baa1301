import type { Delivery } from '@celeriac/amqp';

const REQUEUE_DELAY_MS = 1000;

/** A pause first, so a broker that refuses publishes does not turn into a hot redelivery loop. */
export function requeueLater(delivery: Delivery): void {
  setTimeout(() => delivery.requeue(), REQUEUE_DELAY_MS).unref();
}
