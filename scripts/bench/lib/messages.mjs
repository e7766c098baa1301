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

const EMBED_JSON = '{"callbacks":null,"errbacks":null,"chain":null,"chord":null}';
const REPR_MAX = 1024;

/**
 * The same task as `noopMessage(args)`, built the way a user of raw amqplib writes a Celery
 * message by hand: one `JSON.stringify` of the args, the body around it, the protocol-2 headers
 * Celeriac and Celery 5.2 send (the same keys and values, retries typed as int32 so py-amqp reads
 * it), argsrepr the JSON of the args capped at 1,024 characters as Celery caps its repr. No
 * checks, no Python repr: the least a correct hand-written publisher does per message.
 */
export function handWrittenMessage(args) {
  const id = randomUUID();
  const argsJson = JSON.stringify(args);
  const headers = {
    lang: 'js',
    task: NOOP,
    id,
    shadow: null,
    eta: null,
    expires: null,
    group: null,
    group_index: null,
    retries: { '!': 'int', value: 0 },
    timelimit: [null, null],
    root_id: id,
    parent_id: null,
    argsrepr: argsJson.length > REPR_MAX ? `${argsJson.slice(0, REPR_MAX - 3)}...` : argsJson,
    kwargsrepr: '{}',
    origin: ORIGIN,
    ignore_result: false,
  };
  return {
    body: Buffer.from(`[${argsJson},{},${EMBED_JSON}]`, 'utf8'),
    properties: {
      contentType: 'application/json',
      contentEncoding: 'utf-8',
      deliveryMode: 2,
      priority: 0,
      correlationId: id,
      headers,
    },
  };
}
