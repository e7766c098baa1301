/**
 * Celery's inspect and control commands answered by a Celeriac worker on the real broker, with
 * Celery's reply shapes (reference wave2 §4): what it holds (active, reserved, scheduled,
 * query_task, stats), what it knows (registered, active_queues, conf, report, clock), what it
 * changes at run time (time_limit, add/cancel_consumer, pool_grow/shrink), its shutdown, and
 * errors (unknown command, bad arguments) answered without stopping it. Each test has its own
 * node names and addresses them, since every worker shares the `celery.pidbox` fanout.
 */
import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { TaskFailedError } from '@celeriac/client';
import { connect } from 'amqplib';
import { encodeTask } from '@celeriac/protocol';
import { BROKER_URL, eventually, uniqueName } from './support/broker.js';
import { BLOCK, ControlHarness, QUICK } from './support/control-harness.js';
import { controlCall } from './support/pidbox.js';

type Info = Record<string, unknown> & { delivery_info: Record<string, unknown> };

describe('inspect and control (Celery pidbox → Celeriac worker)', function () {
  this.timeout(30_000);
  let harness: ControlHarness;
  beforeEach(() => (harness = new ControlHarness()));
  afterEach(() => harness.release());

  it('lists the running task as active, the prefetched one as reserved, both in query_task, and counts them in stats', async () => {
    await harness.worker(harness.tasks(), { concurrency: 1 });
    const [running, waiting] = [randomUUID(), randomUUID()];
    const first = await harness.sharedClient.sendTask(BLOCK, ['one'], {}, { taskId: running });
    await eventually(() => (harness.gates.length === 1 ? true : undefined));
    await harness.sharedClient.sendTask(BLOCK, ['two'], { note: 'n' }, { taskId: waiting });
    const reserved = await eventually(async () => {
      const list = (await harness.ask('reserved')) as Info[];
      return list.length === 1 ? list : undefined;
    });
    const [active] = (await harness.ask('active')) as Info[];
    expect(Object.keys(active!).sort()).to.deep.equal(
      [
        'acknowledged',
        'args',
        'delivery_info',
        'hostname',
        'id',
        'kwargs',
        'name',
        'time_start',
        'type',
        'worker_pid',
      ].sort(),
    );
    expect(active).to.deep.include({ id: running, name: BLOCK, type: BLOCK, args: ['one'], kwargs: {} });
    expect(active).to.deep.include({ hostname: harness.nodeName, acknowledged: false, worker_pid: process.pid });
    expect(active!.time_start)
      .to.be.a('number')
      .within(Date.now() / 1000 - 60, Date.now() / 1000);
    expect(active!.delivery_info).to.deep.equal({
      exchange: '',
      routing_key: harness.queue,
      priority: 0,
      redelivered: false,
    });
    expect(reserved[0]).to.deep.include({
      id: waiting,
      args: ['two'],
      kwargs: { note: 'n' },
      time_start: null,
      worker_pid: null,
    });
    const [safe] = (await harness.ask('active', { safe: true })) as Info[];
    expect([safe!.args, safe!.kwargs]).to.deep.equal(["('one',)", '{}']);
    const queried = (await harness.ask('query_task', { ids: [running, waiting, randomUUID()] })) as Record<
      string,
      unknown[]
    >;
    expect(Object.keys(queried).sort()).to.deep.equal([running, waiting].sort());
    expect(queried[running]![0]).to.equal('active');
    expect(queried[waiting]![0]).to.equal('reserved');
    expect((queried[running]![1] as Info).id).to.equal(running);
    harness.gates.shift()!();
    await first.get({ timeoutMs: 10_000 });
    await eventually(() => (harness.gates.length === 1 ? true : undefined));
    harness.gates.shift()!();
    const stats = await eventually(async () => {
      const reply = (await harness.ask('stats')) as { total: Record<string, number> };
      return reply.total[BLOCK] === 2 ? reply : undefined;
    });
    expect(await harness.ask('active')).to.deep.equal([]);
    expect(stats).to.include.keys('pid', 'clock', 'uptime', 'pool', 'broker', 'prefetch_count', 'rusage');
  });

  it('lists a task waiting in memory for its eta as scheduled, with eta and priority 6', async () => {
    await harness.worker(harness.tasks());
    // Under a second ahead: the worker holds it in memory (later ones go to the delay lanes).
    const found = await eventually(async () => {
      const id = randomUUID();
      await harness.sharedClient.sendTask(QUICK, [1, 2], {}, { taskId: id, eta: new Date(Date.now() + 900) });
      for (let tries = 0; tries < 8; tries += 1) {
        const list = (await harness.ask('scheduled')) as Array<{ eta: string; priority: number; request: Info }>;
        const entry = list.find((item) => item.request.id === id);
        if (entry) return entry;
      }
      return undefined;
    }, 20_000);
    expect(found.priority).to.equal(6);
    expect(found.eta).to.match(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00$/);
    expect(found.request).to.deep.include({ name: QUICK, args: [1, 2], time_start: null });
  });

  it('answers stats, clock, registered, active_queues, conf and report in Celery shapes, with no password anywhere', async () => {
    await harness.worker(harness.tasks(), { concurrency: 3, prefetchMultiplier: 4 });
    const stats = (await harness.ask('stats')) as Record<string, Record<string, unknown>>;
    expect(stats.pid).to.equal(process.pid);
    expect(stats.clock).to.be.a('string').and.match(/^\d+$/);
    expect(stats.prefetch_count).to.equal(12);
    expect(stats.pool).to.deep.include({
      'max-concurrency': 3,
      processes: [process.pid],
      implementation: 'celeriac:inline',
    });
    expect(stats.broker).to.deep.include({
      hostname: '127.0.0.1',
      userid: 'guest',
      virtual_host: '/',
      transport: 'amqp',
    });
    expect(stats.rusage).to.have.all.keys(
      ...'utime stime maxrss ixrss idrss isrss minflt majflt nswap inblock oublock msgsnd msgrcv nsignals nvcsw nivcsw'.split(
        ' ',
      ),
    );
    expect((await harness.ask('clock')) as { clock: number })
      .to.have.property('clock')
      .that.is.a('number');
    expect(await harness.ask('registered')).to.deep.equal([BLOCK, QUICK].sort());
    const [queue] = (await harness.ask('active_queues')) as Array<Record<string, unknown>>;
    expect(queue).to.deep.include({
      name: harness.queue,
      routing_key: harness.queue,
      durable: true,
      queue_arguments: null,
    });
    expect(queue!.exchange).to.deep.include({ name: harness.queue, type: 'direct', durable: true });
    const conf = (await harness.ask('conf', { with_defaults: true })) as Record<string, unknown>;
    expect(conf.broker_url).to.equal('amqp://guest:********@127.0.0.1:5672//');
    expect(conf).to.include({
      worker_concurrency: 3,
      worker_prefetch_multiplier: 4,
      task_default_queue: harness.queue,
    });
    const report = (await harness.ask('report')) as { ok: string };
    expect(report.ok).to.contain('software -> celeriac').and.contain('worker_concurrency: 3');
    expect(JSON.stringify([stats, conf, report])).not.to.contain('guest:guest');
  });

  it('lists a quorum queue with its x-queue-type in active_queues', async () => {
    await harness.worker(harness.tasks(), { queueType: 'quorum' });
    const [queue] = (await harness.ask('active_queues')) as Array<Record<string, unknown>>;
    expect(queue!.queue_arguments).to.deep.equal({ 'x-queue-type': 'quorum' });
  });

  it('sets time limits at run time: registered shows them, and the next run is stopped by them', async () => {
    await harness.worker(harness.tasks());
    expect(await harness.ask('time_limit', { task_name: 'no.such.task', hard: 1 })).to.deep.equal({
      error: 'unknown task',
    });
    expect(await harness.ask('time_limit', { task_name: BLOCK, hard: 0.5, soft: 0.2 })).to.deep.equal({
      ok: 'time limits set successfully',
    });
    expect(await harness.ask('registered', { taskinfoitems: ['time_limit', 'soft_time_limit'] })).to.deep.equal([
      `${BLOCK} [time_limit=0.5 soft_time_limit=0.2]`,
      QUICK,
    ]);
    const result = await harness.sharedClient.sendTask(BLOCK, ['slow'], {});
    const error = await result.get({ timeoutMs: 10_000 }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).to.be.instanceOf(TaskFailedError);
    expect((error as TaskFailedError).excType).to.equal('TimeLimitExceeded');
  });

  it('adds and cancels a consumer at run time (add_consumer, cancel_consumer)', async () => {
    await harness.worker(harness.tasks());
    const extra = harness.extraQueue('inspect-extra');
    expect(await harness.ask('add_consumer', { queue: extra })).to.deep.equal({ ok: `add consumer ${extra}` });
    await eventually(async () => {
      const queues = (await harness.ask('active_queues')) as Array<{ name: string }>;
      return queues.some((queue) => queue.name === extra) ? true : undefined;
    });
    const result = await harness.sharedClient.sendTask(QUICK, [20, 22], {}, { queue: extra });
    expect(await result.get({ timeoutMs: 10_000 })).to.equal(42);
    expect(await harness.ask('cancel_consumer', { queue: extra })).to.deep.equal({
      ok: `no longer consuming from ${extra}`,
    });
    const queues = await eventually(async () => {
      const list = (await harness.ask('active_queues')) as Array<{ name: string }>;
      return list.some((queue) => queue.name === extra) ? undefined : list;
    });
    expect(queues.map((queue) => queue.name)).to.deep.equal([harness.queue]);
  });

  it('adds a consumer bound to a named exchange and routing key, and lists them in active_queues', async () => {
    await harness.worker(harness.tasks());
    const extra = harness.extraQueue('inspect-topic');
    const exchange = uniqueName('inspect-exchange');
    try {
      const args = { queue: extra, exchange, exchange_type: 'topic', routing_key: 'orders.#' };
      expect(await harness.ask('add_consumer', args)).to.deep.equal({ ok: `add consumer ${extra}` });
      const listed = await eventually(async () => {
        const queues = (await harness.ask('active_queues')) as Array<Record<string, unknown>>;
        return queues.find((queue) => queue.name === extra);
      });
      expect(listed).to.deep.include({ routing_key: 'orders.#' });
      expect(listed!.exchange).to.deep.include({ name: exchange, type: 'topic' });
      await publishTask(exchange, 'orders.new', QUICK, [2, 5]);
      await eventually(async () => {
        const stats = (await harness.ask('stats')) as { total: Record<string, number> };
        return stats.total[QUICK] === 1 || undefined;
      });
    } finally {
      await deleteExchange(exchange);
    }
  });

  it('grows and shrinks the pool (pool_grow, pool_shrink); autoscale is refused as by a worker without autoscaler', async () => {
    await harness.worker(harness.tasks(), { concurrency: 2 });
    const size = async () =>
      ((await harness.ask('stats')) as { pool: Record<string, unknown> }).pool['max-concurrency'];
    expect(await harness.ask('pool_grow', { n: 3 })).to.deep.equal({ ok: 'pool will grow' });
    expect(await size()).to.equal(5);
    expect(await harness.ask('pool_shrink', { n: 4 })).to.deep.equal({ ok: 'pool will shrink' });
    expect(await size()).to.equal(1);
    expect(await harness.ask('autoscale', { max: 5, min: 2 })).to.deep.equal({
      error: "ValueError('Autoscale not enabled')",
    });
  });

  it('answers pool_grow with an unusable n with a ValueError, leaving the pool as it was', async () => {
    await harness.worker(harness.tasks());
    expect(await harness.ask('pool_grow', { n: 'many' })).to.deep.equal({
      error: 'ValueError(\'n must be a whole number >= 0, got "many"\')',
    });
    expect(((await harness.ask('stats')) as { pool: Record<string, unknown> }).pool['max-concurrency']).to.equal(10);
  });

  it('answers only when it is the destination, and only the addressed worker acts', async () => {
    await harness.worker(harness.tasks());
    const other = uniqueName('inspect-other');
    await harness.worker(harness.tasks(), { nodeName: other });
    const replies = await controlCall({
      method: 'pool_grow',
      arguments: { n: 1 },
      destination: [other],
      timeoutMs: 1500,
      limit: 5,
    });
    expect(replies.map((reply) => Object.keys(reply))).to.deep.equal([[other]]);
    const mine = (await harness.ask('stats')) as { pool: Record<string, unknown> };
    expect(mine.pool['max-concurrency']).to.equal(10);
    const theirs = (await harness.ask('stats', {}, other)) as { pool: Record<string, unknown> };
    expect(theirs.pool['max-concurrency']).to.equal(11);
  });

  it("answers an unknown command and bad arguments with Celery's error replies and keeps working", async () => {
    await harness.worker(harness.tasks());
    expect(await harness.ask('no_such_command')).to.deep.equal({ error: "KeyError('no_such_command')" });
    expect(await harness.ask('cancel_consumer', {})).to.deep.equal({
      error: "ValueError('queue must be a non-empty string, got null')",
    });
    expect(await harness.ask('query_task', { ids: [1] })).to.deep.equal({
      error: "ValueError('ids must be a task id or a list of task ids')",
    });
    expect(await harness.ask('time_limit', { task_name: QUICK, hard: 'soon' })).to.have.property('error');
    expect(await harness.ask('heartbeat')).to.equal(null);
    expect(await harness.ask('ping')).to.deep.equal({ ok: 'pong' });
    const result = await harness.sharedClient.sendTask(QUICK, [1, 1], {});
    expect(await result.get({ timeoutMs: 10_000 })).to.equal(2);
  });

  it('stops gracefully on shutdown without replying, letting the running task finish', async () => {
    const worker = await harness.worker(harness.tasks());
    const result = await harness.sharedClient.sendTask(BLOCK, ['last'], {});
    await eventually(() => (harness.gates.length === 1 ? true : undefined));
    const replies = await controlCall({ method: 'shutdown', destination: [harness.nodeName], timeoutMs: 1000 });
    expect(replies).to.deep.equal([]);
    await eventually(() => (worker.state === 'STOPPING' ? true : undefined));
    harness.gates.shift()!();
    expect(await result.get({ timeoutMs: 10_000 })).to.equal('last');
    await eventually(() => (worker.state === 'STOPPED' ? true : undefined));
  });
});

/** A task message published to an exchange with a routing key, as a producer routing by topic sends it. */
async function publishTask(exchange: string, routingKey: string, name: string, args: unknown[]): Promise<void> {
  const connection = await connect(BROKER_URL);
  try {
    const channel = await connection.createConfirmChannel();
    const { body, properties } = encodeTask({ id: randomUUID(), name, args });
    channel.publish(exchange, routingKey, body, properties);
    await channel.waitForConfirms();
  } finally {
    await connection.close();
  }
}

async function deleteExchange(name: string): Promise<void> {
  const connection = await connect(BROKER_URL);
  try {
    await (await connection.createChannel()).deleteExchange(name);
  } finally {
    await connection.close();
  }
}
