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

export function noopMessage() {
  return encodeTask({ id: randomUUID(), name: NOOP, args: [], kwargs: {}, origin: ORIGIN, replyTo: null });
}

export function noopMessages(count) {
  return Array.from({ length: count }, noopMessage);
}
