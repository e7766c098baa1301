#!/usr/bin/env node
/**
 * Publish throughput: no-op tasks, persistent, each confirmed by the broker; a burst of N sent
 * all at once and awaited together, or a steady stream.
 *
 *   npx tsc -b && node scripts/bench/publish.mjs --impl celeriac|raw [--count 20000] [--window 0]
 *       [--seconds 0] [--queue-type classic|quorum] [--body-size BYTES] [--pre-encoded] [--mandatory] [--json]
 *
 * celeriac: one Client (resultBackend null), `sendTask` per task. Building each message (task id,
 *   encoding, headers) is part of the measured time.
 * raw: amqplib on a confirm channel, `sendToQueue` with a callback per message, pausing on 'drain'
 *   when amqplib says its buffer is full. Each message is built inside the clock too, as a user of
 *   raw amqplib must: a task id, one JSON.stringify of the same args, the same protocol-2 headers
 *   (lib/messages.mjs handWrittenMessage). --pre-encoded instead sends Celeriac's own bytes encoded
 *   before the clock starts (the broker's ceiling for this process, not the same work).
 * --mandatory (raw): each message also `mandatory` with a message id, as the Client publishes (so an
 *   unroutable one comes back as an error instead of vanishing): what the flag costs the broker.
 * --window W keeps at most W sends unconfirmed (a producer that limits what it has in flight).
 * --seconds S (with --window W): a steady stream: W sends always in flight for S seconds; the
 *   figure is the confirmed sends per second (--count is then ignored).
 * --body-size B sends tasks whose message body is B bytes (one string argument); without it, the
 *   no-op with no arguments (a body of 68 bytes). The warm-up is smaller for large bodies.
 * --queue-type quorum declares the task queue as a quorum queue (Client `queueType: 'quorum'`).
 *
 * Also reported: this process's CPU time per task over the measured sends (user + system).
 * A warm-up of 500 sends (connection, queue declaration, JIT) precedes the measured ones. A queue
 * of its own, deleted at the end. Env: CELERIAC_BROKER.
 */
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import { Client } from '@celeriac/client';
import {
  BROKER_URL,
  confirmPublishAll,
  declareTaskQueue,
  deleteQueues,
  queueName,
  queueTypeOption,
  withChannel,
} from './lib/broker.mjs';
import { NOOP, argsOfBodySize, handWrittenMessage, noopMessage, noopMessages } from './lib/messages.mjs';
import { emit, rate } from './lib/output.mjs';

const { values } = parseArgs({
  options: {
    impl: { type: 'string', default: 'celeriac' },
    count: { type: 'string', default: '20000' },
    window: { type: 'string', default: '0' },
    seconds: { type: 'string', default: '0' },
    'queue-type': { type: 'string', default: 'classic' },
    'body-size': { type: 'string', default: '0' },
    'pre-encoded': { type: 'boolean', default: false },
    mandatory: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
  },
});
const COUNT = Number(values.count);
const WINDOW = Number(values.window);
const SECONDS = Number(values.seconds);
const QUEUE_TYPE = queueTypeOption(values['queue-type']);
const ARGS = argsOfBodySize(Number(values['body-size']));
const BODY_BYTES = noopMessage(ARGS).body.length;
// About 2 MB of warm-up sends for large bodies (connection, declaration, JIT), 500 for small ones.
const WARM_UP = Math.max(20, Math.min(500, Math.floor(2_000_000 / BODY_BYTES)));
const QUEUE = queueName('publish');
if (values.mandatory && values.impl !== 'raw')
  throw new Error('--mandatory is for --impl raw (the Client always publishes so)');
if (SECONDS > 0 && !(WINDOW > 0)) throw new Error('--seconds needs --window: how many sends to keep in flight');

/** Runs `send()` `count` times, all at once or with at most WINDOW unsettled; resolves to the count. */
async function windowed(count, send) {
  if (!(WINDOW > 0)) return (await Promise.all(Array.from({ length: count }, send))).length;
  let next = 0;
  const lane = async () => {
    while (next < count) await send(next++);
  };
  await Promise.all(Array.from({ length: Math.min(WINDOW, count) }, lane));
  return count;
}

/** WINDOW sends always in flight until SECONDS have passed; resolves to how many were confirmed. */
async function steady(send) {
  const deadline = performance.now() + SECONDS * 1000;
  let sent = 0;
  const lane = async () => {
    while (performance.now() < deadline) await send().then(() => sent++);
  };
  await Promise.all(Array.from({ length: WINDOW }, lane));
  return sent;
}

/** Wall time, this process's CPU time (user + system) and the sends confirmed of `fn`. */
async function timed(fn) {
  const cpu = process.cpuUsage();
  const started = performance.now();
  const count = await fn();
  const { user, system } = process.cpuUsage(cpu);
  return { count, elapsedMs: performance.now() - started, cpuMs: (user + system) / 1000 };
}

/** The measured sends: a steady stream with --seconds, else COUNT (windowed or at once). */
function measure(send, burst = (count) => windowed(count, send)) {
  return timed(() => (SECONDS > 0 ? steady(send) : WINDOW > 0 ? windowed(COUNT, send) : burst(COUNT)));
}

async function celeriac() {
  const client = new Client({
    brokerUrl: BROKER_URL,
    defaultQueue: QUEUE,
    queueType: QUEUE_TYPE,
    resultBackend: null,
    connectionName: 'celeriac-bench-publish',
  });
  try {
    const send = () => client.sendTask(NOOP, ARGS, {});
    await windowed(WARM_UP, send);
    return await measure(send);
  } finally {
    await client.close();
  }
}

/** Messages one at a time: built on demand (hand-written), or Celeriac's bytes encoded beforehand. */
function messageSource(count) {
  if (values.mandatory) return mandatory(values['pre-encoded'] ? preEncoded(count) : () => handWrittenMessage(ARGS));
  if (!values['pre-encoded']) return () => handWrittenMessage(ARGS);
  return preEncoded(count);
}

/** Celeriac's bytes for `count` sends, encoded before the clock starts, used in turn. */
function preEncoded(count) {
  const messages = noopMessages(count, ARGS);
  let next = 0;
  return () => messages[next++ % messages.length];
}

/** `source`'s messages, `mandatory` and with a message id each, as the Client sends them. */
function mandatory(source) {
  let sequence = 0;
  // A literal, not a spread: objects of one shape, as the Client hands amqplib (a spread made
  // amqplib's reads of them several µs slower a send).
  return () => {
    const { body, properties: p } = source();
    const { contentType, contentEncoding, deliveryMode, priority, correlationId, headers } = p;
    const messageId = `${PUBLISHER_ID}.${++sequence}`;
    const mandatory = true;
    const properties = {
      contentType,
      contentEncoding,
      deliveryMode,
      priority,
      correlationId,
      headers,
      mandatory,
      messageId,
    };
    return { body, properties };
  };
}

const PUBLISHER_ID = randomUUID();

async function raw() {
  return withChannel(
    async (channel) => {
      await declareTaskQueue(channel, QUEUE, QUEUE_TYPE);
      const warmUp = messageSource(WARM_UP);
      await confirmPublishAll(channel, QUEUE, generate(WARM_UP, warmUp));
      // A steady stream sends an unknown number: cycle through COUNT pre-encoded ones.
      const message = messageSource(COUNT);
      const send = () => confirmPublishAll(channel, QUEUE, [message()]);
      return measure(send, (count) => confirmPublishAll(channel, QUEUE, generate(count, message)).then(() => count));
    },
    { confirm: true, name: 'celeriac-bench-publish-raw' },
  );
}

/** `count` messages from `message()`, each built only when the publisher asks for it. */
function* generate(count, message) {
  for (let i = 0; i < count; i++) yield message();
}

async function main() {
  const impls = { celeriac, raw };
  if (!impls[values.impl]) throw new Error(`--impl must be one of ${Object.keys(impls).join(', ')}`);
  try {
    const { count, elapsedMs, cpuMs } = await impls[values.impl]();
    const perSecond = (count * 1000) / elapsedMs;
    const cpuPerTaskUs = (cpuMs * 1000) / count;
    const result = {
      impl: values.impl,
      preEncoded: values.impl === 'raw' && values['pre-encoded'],
      queueType: QUEUE_TYPE,
      count,
      window: WINDOW,
      seconds: SECONDS,
      bodyBytes: BODY_BYTES,
      elapsedMs,
      perSecond,
      megabytesPerSecond: (perSecond * BODY_BYTES) / 1e6,
      cpuPerTaskUs,
    };
    emit(values.json, result, [
      `publish ${values.impl}${result.preEncoded ? ' pre-encoded' : ''}${values.mandatory ? ' mandatory' : ''} (${QUEUE_TYPE}): ${count} tasks of ${BODY_BYTES} bytes${WINDOW ? `, ${SECONDS > 0 ? '' : 'at most '}${WINDOW} in flight` : ' at once'} in ${elapsedMs.toFixed(0)} ms = ${rate(perSecond)}, ${cpuPerTaskUs.toFixed(0)} µs CPU a task in this process`,
    ]);
  } finally {
    await deleteQueues([QUEUE]);
  }
}

await main();
