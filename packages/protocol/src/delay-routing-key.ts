/**
 * Routing keys of the delay lanes, Celery 5.5's native delayed delivery (kombu's
 * `calculate_routing_key`): the delay in whole seconds as 28 binary digits, most significant
 * first, joined by dots, then a dot and the destination routing key. A 5 s delay to `celery`:
 * `0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.1.0.1.celery`. The lanes that read these
 * keys (names, TTLs, bindings) are declared by @celeriac/amqp's topology.
 */

/** One lane per binary digit: the longest delay is 2^28 - 1 s, about 8.5 years. */
export const DELAY_LEVELS = 28;
export const MAX_DELAY_SECONDS = 2 ** DELAY_LEVELS - 1;

const PREFIX = new RegExp(`^(?:[01]\\.){${DELAY_LEVELS}}`);

/** The routing key that makes a message wait `seconds` (1 .. MAX_DELAY_SECONDS) before reaching `routingKey`. */
export function delayRoutingKey(seconds: number, routingKey: string): string {
  assertLaneSeconds(seconds);
  const bits = seconds.toString(2).padStart(DELAY_LEVELS, '0').split('').join('.');
  return `${bits}.${stripDelayPrefix(routingKey)}`;
}

/** The destination routing key of a message that went through the lanes (Celery re-reads it on retry). */
export function stripDelayPrefix(routingKey: string): string {
  return routingKey.replace(PREFIX, '');
}

/**
 * The binding key that picks the keys whose digit for `level` is `bit`: level L's queue takes
 * the 1s (they wait 2^L s there), its exchange passes the 0s straight down to level L-1.
 */
export function laneBindingKey(level: number, bit: 0 | 1): string {
  return `${'*.'.repeat(DELAY_LEVELS - 1 - level)}${bit}.#`;
}

/** How a destination queue takes the messages leaving the cascade: any digits, then its name. */
export function delayedDeliveryBindingKey(queue: string): string {
  return `#.${queue}`;
}

/** The level of the highest 1 digit of `seconds`: the levels above it would only pass the message down. */
export function delayEntryLevel(seconds: number): number {
  assertLaneSeconds(seconds);
  return 31 - Math.clz32(seconds);
}

function assertLaneSeconds(seconds: number): void {
  if (!Number.isInteger(seconds) || seconds < 1 || seconds > MAX_DELAY_SECONDS) {
    throw new RangeError(
      `a lane delay must be a whole number of seconds from 1 to ${MAX_DELAY_SECONDS}, got ${seconds}`,
    );
  }
}
