/**
 * Celery's monitoring events from Celeriac workers and clients, on the real broker: a private
 * queue bound to `celeryev` sees every event type a Celery 5 worker sends, with its fields,
 * routing key and properties, for tasks that succeed, fail, retry, are revoked (before they
 * run, by a terminate, by expiry) and are rejected; task events switch on and off at run time
 * through the enable_events/disable_events control commands.
 */
import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { defineTask } from '@celeriac/core';
import { TaskRegistry, type TaskContext, type Worker, type WorkerOptions } from '@celeriac/worker';
import type { DecodedEvent } from '@celeriac/protocol';
import { connect } from 'amqplib';
import { BROKER_URL, eventually, uniqueName } from './support/broker.js';
import { takeDeadLetter } from './support/dead-letters.js';
import { EventListener } from './support/event-listener.js';
import { controlCall } from './support/pidbox.js';
import { SEMANTICS_APP, SpawnedCli } from './support/spawned-cli.js';
import { TaskHarness, sleep } from './support/task-harness.js';
import { spin } from './fixtures/semantics-tasks.js';

const ADD = 'celeriac.test.events.add';
const FAIL = 'celeriac.test.events.fail';
const RETRY = 'celeriac.test.events.retry';
const SLOW = 'celeriac.test.events.slow';
const add = defineTask<[x: number, y: number], number>(ADD);
const fail = defineTask<[message: string], never>(FAIL);
const COMMON_KEYS = ['hostname', 'utcoffset', 'pid', 'clock', 'timestamp', 'type'];

function registry(): TaskRegistry {
  return new TaskRegistry()
    .register(add, (x, y) => x + y)
    .register(fail, (message) => {
      throw new TypeError(message);
    })
    .register(RETRY, (ctx: TaskContext) => {
      if (ctx.retries === 0) ctx.retry({ countdownMs: 0, error: new RangeError('again') });
      return 'done';
    })
    .register(SLOW, (ctx: TaskContext) => new Promise((resolve) => ctx.signal.addEventListener('abort', resolve)));
}

/** Keys in Celery's order: the envelope first (hostname, utcoffset, pid, clock), timestamp and type last. */
function expectCeleryKeyOrder(event: DecodedEvent, own: string[]): void {
  expect(Object.keys(event)).to.deep.equal([...COMMON_KEYS.slice(0, 4), ...own, 'timestamp', 'type']);
}

/** Takes the queue's first message and closes the connection without acking: the broker redelivers it. */
async function deliverWithoutAck(queue: string): Promise<void> {
  const model = await connect(BROKER_URL);
  try {
    const channel = await model.createChannel();
    const message = await eventually(async () => (await channel.get(queue, { noAck: false })) || undefined);
    expect(message.fields.redelivered).to.equal(false);
  } finally {
    await model.close();
  }
}

describe('events (Celeriac worker and client → celeryev)', function () {
  this.timeout(30_000);
  let harness: TaskHarness;
  let listener: EventListener;
  let worker: Worker;
  let node: string;

  async function start(options: Partial<WorkerOptions> = {}): Promise<void> {
    worker = await harness.worker(registry(), { events: true, ...options });
    node = worker.options.nodeName;
  }

  beforeEach(async () => {
    harness = new TaskHarness('events');
    listener = await EventListener.start();
  });
  afterEach(async () => {
    await harness.release();
    await listener.close();
  });

  it('announces the worker: worker-online, a heartbeat every 2 s with Celery fields, worker-offline at stop', async () => {
    await start();
    const [online] = await listener.waitFrom(node, 'worker-online');
    const beats = await listener.waitFrom(node, 'worker-heartbeat', 2, 8_000);
    const own = ['freq', 'active', 'processed', 'loadavg', 'sw_ident', 'sw_ver', 'sw_sys'];
    expectCeleryKeyOrder(online!, own);
    expect(online).to.include({ hostname: node, pid: process.pid, freq: 2, active: 0, processed: 0 });
    expect(online!.loadavg).to.be.an('array').with.length(3);
    expect(online).to.include({ sw_ident: 'celeriac' });
    expect(online!.utcoffset).to.equal(Math.floor(new Date().getTimezoneOffset() / 60));
    const message = listener.message(beats[0]!);
    expect(message).to.include({ routingKey: 'worker.heartbeat', deliveryMode: 1, contentType: 'application/json' });
    expect(message!.hostnameHeader).to.equal(node);
    await harness.sharedClient.sendTask(ADD, [1, 1]).then((result) => result.get({ timeoutMs: 10_000 }));
    await worker.stop();
    const [offline] = await listener.waitFrom(node, 'worker-offline');
    expect(offline).to.include({ processed: 1, active: 0 });
    expect(listener.message(offline!)?.routingKey).to.equal('worker.offline');
  });

  it('sends no worker events with heartbeatEvents false (--without-heartbeat); task events still go', async () => {
    await start({ heartbeatEvents: false });
    const result = await harness.sharedClient.sendTask(ADD, [1, 2]);
    await listener.waitTask(result.id, 'task-succeeded');
    await worker.stop();
    await sleep(500);
    expect(listener.of(node).filter((event) => event.type.startsWith('worker-'))).to.deep.equal([]);
  });

  it('sends task-received, task-started and task-succeeded with Celery fields, clocks rising', async () => {
    await start();
    const result = await harness.sharedClient.sendTask(ADD, [2, 3], {}, { expires: 60 });
    expect(await result.get({ timeoutMs: 10_000 })).to.equal(5);
    const succeeded = await listener.waitTask(result.id, 'task-succeeded');
    const events = listener.task(result.id);
    expect(events.map((event) => event.type)).to.deep.equal(['task-received', 'task-started', 'task-succeeded']);
    const [received, started] = events;
    expectCeleryKeyOrder(received!, [
      'uuid',
      'name',
      'args',
      'kwargs',
      'root_id',
      'parent_id',
      'retries',
      'eta',
      'expires',
    ]);
    expect(received).to.include({ uuid: result.id, name: ADD, args: '(2, 3)', kwargs: '{}', root_id: result.id });
    expect(received).to.include({ parent_id: null, retries: 0, eta: null, hostname: node });
    expect(received!.expires).to.match(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00$/);
    expectCeleryKeyOrder(started!, ['uuid']);
    expectCeleryKeyOrder(succeeded, ['uuid', 'result', 'runtime']);
    expect(succeeded).to.include({ result: '5' });
    expect(succeeded.runtime).to.be.a('number').and.be.at.least(0);
    // Task events travel in task.multi lists, as Celery's default (prefork) worker sends them.
    const message = listener.message(succeeded);
    expect(message).to.include({ routingKey: 'task.multi', deliveryMode: 1, contentType: 'application/json' });
    expect(message?.hostnameHeader).to.equal(node);
    const clocks = events.map((event) => event.clock);
    expect(clocks).to.deep.equal([...clocks].sort((a, b) => a - b));
    expect(new Set(clocks).size).to.equal(3);
  });

  it("sends task-failed with the exception's repr and a traceback", async () => {
    await start();
    const result = await harness.sharedClient.sendTask(FAIL, ['bad input']);
    await result.get({ timeoutMs: 10_000 }).catch(() => undefined);
    const failed = await listener.waitTask(result.id, 'task-failed');
    expectCeleryKeyOrder(failed, ['uuid', 'exception', 'traceback']);
    expect(failed.exception).to.equal("TypeError('bad input')");
    expect(failed.traceback).to.be.a('string').and.contain('bad input');
    expect(listener.message(failed)?.routingKey).to.equal('task.multi');
  });

  it('sends task-retried, then the retry is received with retries 1 and succeeds', async () => {
    await start();
    const result = await harness.sharedClient.sendTask(RETRY, []);
    expect(await result.get({ timeoutMs: 15_000 })).to.equal('done');
    // As in Celery, the retry is republished before task-retried is sent: its run, even its
    // task-succeeded, may come first (a loaded CI run read the events before task-retried came).
    await listener.waitTask(result.id, 'task-succeeded');
    await listener.waitTask(result.id, 'task-retried');
    const events = listener.task(result.id);
    const count = (type: string) => events.filter((event) => event.type === type).length;
    expect([
      count('task-received'),
      count('task-started'),
      count('task-retried'),
      count('task-succeeded'),
    ]).to.deep.equal([2, 2, 1, 1]);
    expect(events.slice(0, 2).map((event) => event.type)).to.deep.equal(['task-received', 'task-started']);
    const retried = events.find((event) => event.type === 'task-retried')!;
    expect(retried.exception).to.equal("RangeError('again')");
    expect(retried.traceback).to.be.a('string').and.contain('again');
    expect(events.filter((event) => event.type === 'task-received')[1]).to.include({ retries: 1 });
  });

  it('sends task-revoked: revoked before it ran, terminated while it ran (signum 15), expired', async () => {
    await start();
    const client = harness.sharedClient;
    const early = randomUUID();
    await client.revoke(early);
    await eventually(async () => {
      const [reply] = await controlCall({ method: 'revoked', destination: [node] });
      return (reply?.[node] as string[] | undefined)?.includes(early) ? true : undefined;
    });
    await client.sendTask(ADD, [1, 2], {}, { taskId: early });
    const revoked = await listener.waitTask(early, 'task-revoked');
    expectCeleryKeyOrder(revoked, ['uuid', 'terminated', 'signum', 'expired']);
    expect(revoked).to.include({ terminated: false, signum: null, expired: false });
    expect(listener.task(early).map((event) => event.type)).to.deep.equal(['task-revoked']);

    const slow = await client.sendTask(SLOW, []);
    await listener.waitTask(slow.id, 'task-started');
    await client.revoke(slow.id, { terminate: true });
    expect(await listener.waitTask(slow.id, 'task-revoked')).to.include({
      terminated: true,
      signum: 15,
      expired: false,
    });

    const expired = await client.sendTask(ADD, [1, 2], {}, { eta: new Date(Date.now() + 1500), expires: 1 });
    expect(await listener.waitTask(expired.id, 'task-revoked')).to.include({ terminated: false, expired: true });
  });

  it('sends task-rejected for a task given up on (delivered too often), task-failed NotRegistered for an unknown one', async () => {
    const client = harness.sharedClient;
    const tired = await client.sendTask(ADD, [1, 2]);
    await deliverWithoutAck(harness.queue);
    // The broker now redelivers it: with maxDeliveries 1 the worker gives up on it at once.
    await start({ maxDeliveries: 1 });
    const rejected = await listener.waitTask(tired.id, 'task-rejected');
    expectCeleryKeyOrder(rejected, ['uuid', 'requeue']);
    expect(rejected).to.include({ requeue: false });
    expect(listener.task(tired.id).map((event) => event.type)).to.deep.equal(['task-rejected']);
    await takeDeadLetter(tired.id);

    const unknown = await client.sendTask('celeriac.test.events.nobody', []);
    const failed = await listener.waitTask(unknown.id, 'task-failed');
    expect(failed.exception).to.equal("NotRegistered('celeriac.test.events.nobody')");
    expect(failed).not.to.have.property('traceback');
    await takeDeadLetter(unknown.id);
  });

  it('sends no task events by default; enable_events and disable_events switch them, with Celery replies', async () => {
    await start({ events: false });
    await listener.waitFrom(node, 'worker-online');
    const quiet = await harness.sharedClient.sendTask(ADD, [1, 1]);
    await quiet.get({ timeoutMs: 10_000 });
    const ask = async (method: string) => (await controlCall({ method, destination: [node] }))[0]?.[node];
    expect(await ask('enable_events')).to.deep.equal({ ok: 'task events enabled' });
    expect(await ask('enable_events')).to.deep.equal({ ok: 'task events already enabled' });
    const loud = await harness.sharedClient.sendTask(ADD, [2, 2]);
    await listener.waitTask(loud.id, 'task-succeeded');
    expect(await ask('disable_events')).to.deep.equal({ ok: 'task events disabled' });
    expect(await ask('disable_events')).to.deep.equal({ ok: 'task events already disabled' });
    const quietAgain = await harness.sharedClient.sendTask(ADD, [3, 3]);
    await quietAgain.get({ timeoutMs: 10_000 });
    // Event and result travel on different connections: give a stray event time to arrive.
    await sleep(500);
    expect(listener.task(quiet.id)).to.deep.equal([]);
    expect(listener.task(quietAgain.id)).to.deep.equal([]);
  });

  it('sends a worker-heartbeat at once when asked by control heartbeat, answering null as Celery', async () => {
    await start();
    await listener.waitFrom(node, 'worker-online');
    const count = () => listener.of(node).filter((event) => event.type === 'worker-heartbeat').length;
    const before = count();
    expect((await controlCall({ method: 'heartbeat', destination: [node] }))[0]?.[node]).to.equal(null);
    // Within 250 ms of the reply: a periodic beat (every 2 s) lands in such a window one time in eight.
    await sleep(250);
    expect(count(), 'a heartbeat sent for the command').to.be.above(before);
  });

  it('celeriac worker sends task events with -E, --events, and CELERIAC_EVENTS=true', async () => {
    const flagged = uniqueName('cli-events-flag');
    const longFlag = uniqueName('cli-events-long');
    const viaEnv = uniqueName('cli-events-env');
    const workers = [
      await SpawnedCli.worker([harness.queue], '-E', '-n', flagged),
      SpawnedCli.start(['worker', '--app', SEMANTICS_APP, '-Q', harness.queue, '-n', viaEnv], {
        CELERIAC_EVENTS: 'true',
      }),
      await SpawnedCli.worker([harness.queue], '--events', '-n', longFlag),
    ];
    try {
      await workers[1]!.waitForLog((line) => line.message === 'worker ready');
      const seen = new Set<string>();
      // Three workers on one queue: send until each has announced a task of its own.
      await eventually(async () => {
        const result = await harness.sharedClient.send(spin, [0]);
        const succeeded = await listener.waitTask(result.id, 'task-succeeded');
        seen.add(succeeded.hostname);
        return [flagged, viaEnv, longFlag].every((node) => seen.has(node)) ? true : undefined;
      }, 20_000);
    } finally {
      await Promise.all(workers.map((worker) => worker.stop()));
    }
  });

  it('sends task-sent from a client with sendSentEvent, as Celery with task_send_sent_event', async () => {
    const client = harness.client({ sendSentEvent: true });
    const result = await client.sendTask(ADD, [7, 'x'], { k: null }, { expires: 60 });
    const sent = await listener.waitTask(result.id, 'task-sent');
    expectCeleryKeyOrder(sent, [
      'uuid',
      'root_id',
      'parent_id',
      'name',
      'args',
      'kwargs',
      'retries',
      'eta',
      'expires',
      'queue',
      'exchange',
      'routing_key',
    ]);
    expect(sent).to.include({ name: ADD, args: "(7, 'x')", kwargs: "{'k': None}", queue: harness.queue });
    expect(sent).to.include({ exchange: '', routing_key: harness.queue, retries: 0, root_id: result.id });
    expect(sent.hostname).to.match(/^gen\d+@/);
    expect(listener.message(sent)?.routingKey).to.equal('task.sent');
    const plain = await harness.sharedClient.sendTask(ADD, [1, 1]);
    await sleep(300);
    expect(listener.task(plain.id)).to.deep.equal([]);
  });
});
