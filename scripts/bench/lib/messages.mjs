/**
 * The task messages the throughput benchmarks send: protocol-v2 no-op tasks encoded by
 * @celeriac/protocol, byte for byte what a Client publishes for `sendTask(NOOP, [], {})` with no
 * result backend. Every contestant gets the same bytes; only the task id differs per message.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { encodeTask } from '@celeriac/protocol';

/** The no-op task every worker under test implements (Celeriac, Celery). */
export const NOOP = 'celeriac.bench.noop';
/** An echo task for round trips: returns its argument. */
export const ECHO = 'celeriac.bench.echo';

const ORIGIN = `gen${process.pid}@${hostname()}`;

export function noopMessage(args = []) {
  return encodeTask({ id: randomUUID(), name: NOOP, args, kwargs: {}, origin: ORIGIN, replyTo: null });
}

export function noopMessages(count, args = []) {
  return Array.from({ length: count }, () => noopMessage(args));
}

/**
 * The args of a no-op task whose message body is `bodySize` bytes (one string of 'x', the rest
 * being the JSON of args, kwargs and embed); none for 0, the default no-op.
 */
export function argsOfBodySize(bodySize) {
  if (!(bodySize > 0)) return [];
  const base = noopMessage(['']).body.length;
  if (bodySize < base) throw new Error(`a body of ${bodySize} bytes is smaller than the smallest (${base} bytes)`);
  return ['x'.repeat(bodySize - base)];
}
