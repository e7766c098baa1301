/**
 * Python's own `celery inspect …` and `celery control …` (the peer's CLI, 5.2 or 5.6 as
 * CELERIAC_TEST_PYTHON selects) against a Celeriac worker: the commands an operator types during
 * an incident, their `--json` output parsed and asserted. Each test addresses its own node with
 * `-d`, since every worker on the broker shares the `celery.pidbox` fanout.
 */
import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { parseJson } from '@celeriac/protocol';
import { TaskRegistry, type TaskContext, type Worker, type WorkerOptions } from '@celeriac/worker';
import { eventually, uniqueName } from './support/broker.js';
import { assertPythonCelery, celeryCommand, PythonWorker } from './support/python-peer.js';
import { TaskHarness } from './support/task-harness.js';

const BLOCK = 'celeriac.test.pyinspect.block';
const QUICK = 'celeriac.test.pyinspect.quick';

class Harness extends TaskHarness {
  readonly nodeName = uniqueName('pyinspect-node');
  readonly gates: Array<() => void> = [];

  constructor() {
    super('pyinspect');
  }

  start(options: Partial<WorkerOptions> = {}): Promise<Worker> {
    const tasks = new TaskRegistry()
      .register(
        BLOCK,
        (label: string, _ctx: TaskContext) => new Promise((resolve) => this.gates.push(() => resolve(label))),
      )
      .register(QUICK, (x: number, y: number, _ctx: TaskContext) => x + y);
    return super.worker(tasks, { nodeName: this.nodeName, mingle: false, ...options });
  }

  /** `celery inspect <command> [args] --json -d <node>`: the node's reply value (ours by default). */
  async inspect(command: string, ...args: string[]): Promise<unknown> {
    return this.inspectNode(this.nodeName, command, ...args);
  }

  async inspectNode(node: string, command: string, ...args: string[]): Promise<unknown> {
    const run = await celeryCommand(['inspect', command, ...args, '--json', '-d', node, '-t', '5']);
    expect(run.code, `celery inspect ${command}: ${run.stderr}`).to.equal(0);
    return (parseJson(run.stdout.trim()) as Record<string, unknown>)[node];
  }

  /** `celery control <command> [args] --json -d <node>`: our node's reply value. */
  async control(command: string, ...args: string[]): Promise<unknown> {
    const run = await celeryCommand(['control', command, ...args, '--json', '-d', this.nodeName, '-t', '5']);
    expect(run.code, `celery control ${command}: ${run.stderr}`).to.equal(0);
    const replies = parseJson(run.stdout.trim()) as Array<Record<string, unknown>>;
    expect(replies).to.have.length(1);
    return replies[0]![this.nodeName];
  }

  override release(): Promise<void> {
    for (const open of this.gates.splice(0)) open();
    return super.release();
  }
}

type Info = Record<string, unknown>;

describe('Python celery inspect / control → Celeriac worker', function () {
  this.timeout(60_000);
  let harness: Harness;
  before(() => assertPythonCelery());
  beforeEach(() => (harness = new Harness()));
  afterEach(() => harness.release());

  it('inspect active, reserved, scheduled and query_task show what the worker holds', async () => {
    await harness.start({ concurrency: 1 });
    const [running, waiting] = [randomUUID(), randomUUID()];
    await harness.sharedClient.sendTask(BLOCK, ['one'], {}, { taskId: running });
    await harness.sharedClient.sendTask(BLOCK, ['two'], {}, { taskId: waiting });
    await eventually(() => (harness.gates.length === 1 ? true : undefined));
    const [active] = (await harness.inspect('active')) as Info[];
    expect(active).to.deep.include({ id: running, name: BLOCK, args: ['one'], hostname: harness.nodeName });
    expect(active!.delivery_info).to.deep.equal({
      exchange: '',
      routing_key: harness.queue,
      priority: 0,
      redelivered: false,
    });
    const reserved = (await harness.inspect('reserved')) as Info[];
    expect(reserved.map((info) => info.id)).to.deep.equal([waiting]);
    expect(await harness.inspect('scheduled')).to.deep.equal([]);
    const queried = (await harness.inspect('query_task', running, waiting)) as Record<string, [string, Info]>;
    expect([queried[running]![0], queried[waiting]![0]]).to.deep.equal(['active', 'reserved']);
  });

  it('inspect registered, stats, active_queues, conf, report, clock and revoked', async () => {
    await harness.start({ concurrency: 4 });
    const revoked = randomUUID();
    await harness.sharedClient.revoke(revoked);
    expect(await harness.inspect('registered')).to.deep.equal([BLOCK, QUICK].sort());
    const stats = (await harness.inspect('stats')) as Record<string, Record<string, unknown>>;
    expect(stats.pool).to.deep.include({ 'max-concurrency': 4 });
    expect(stats.broker).to.deep.include({ userid: 'guest', transport: 'amqp' });
    expect(stats.rusage).to.include.keys('utime', 'stime', 'maxrss');
    const [queue] = (await harness.inspect('active_queues')) as Info[];
    expect(queue).to.deep.include({ name: harness.queue, routing_key: harness.queue, durable: true });
    const conf = (await harness.inspect('conf')) as Info;
    expect(conf.broker_url).to.equal('amqp://guest:********@127.0.0.1:5672//');
    expect(((await harness.inspect('report')) as { ok: string }).ok).to.contain('software -> celeriac');
    expect(await harness.inspect('clock'))
      .to.have.property('clock')
      .that.is.a('number');
    expect(await harness.inspect('revoked')).to.include(revoked);
  });

  it('control time_limit, then inspect registered shows the limits as Celery writes them', async () => {
    await harness.start();
    expect(await harness.control('time_limit', BLOCK, '10', '20')).to.deep.equal({
      ok: 'time limits set successfully',
    });
    expect(await harness.control('time_limit', 'no.such.task', '10')).to.deep.equal({ error: 'unknown task' });
    expect(await harness.inspect('registered', 'time_limit', 'soft_time_limit')).to.deep.equal([
      `${BLOCK} [time_limit=20.0 soft_time_limit=10.0]`,
      QUICK,
    ]);
  });

  it('control add_consumer and cancel_consumer change what the worker consumes', async () => {
    await harness.start();
    const extra = harness.extraQueue('pyinspect-extra');
    expect(await harness.control('add_consumer', extra)).to.deep.equal({ ok: `add consumer ${extra}` });
    const result = await harness.sharedClient.sendTask(QUICK, [40, 2], {}, { queue: extra });
    expect(await result.get({ timeoutMs: 10_000 })).to.equal(42);
    expect(await harness.control('cancel_consumer', extra)).to.deep.equal({ ok: `no longer consuming from ${extra}` });
    await eventually(async () => {
      const queues = (await harness.inspect('active_queues')) as Info[];
      return queues.some((queue) => queue.name === extra) ? undefined : true;
    });
  });

  it('control pool_grow, pool_shrink, autoscale and heartbeat', async () => {
    await harness.start({ concurrency: 2 });
    expect(await harness.control('pool_grow', '3')).to.deep.equal({ ok: 'pool will grow' });
    expect(await harness.control('pool_shrink', '1')).to.deep.equal({ ok: 'pool will shrink' });
    const stats = (await harness.inspect('stats')) as { pool: Info };
    expect(stats.pool['max-concurrency']).to.equal(4);
    expect(await harness.control('autoscale', '5', '2')).to.deep.equal({
      error: "ValueError('Autoscale not enabled')",
    });
    expect(await harness.control('heartbeat')).to.equal(null);
  });

  it('control enable_events and disable_events, with Celery replies', async () => {
    await harness.start({ events: false });
    expect(await harness.control('enable_events')).to.deep.equal({ ok: 'task events enabled' });
    expect(await harness.control('enable_events')).to.deep.equal({ ok: 'task events already enabled' });
    expect(await harness.control('disable_events')).to.deep.equal({ ok: 'task events disabled' });
    expect(await harness.control('disable_events')).to.deep.equal({ ok: 'task events already disabled' });
  });

  it('control shutdown stops the worker gracefully; as with a Celery worker, no node replies', async () => {
    const worker = await harness.start();
    const run = await celeryCommand(['control', 'shutdown', '--json', '-d', harness.nodeName, '-t', '2']);
    expect(run.stdout + run.stderr).to.contain('No nodes replied');
    await eventually(() => (worker.state === 'STOPPED' ? true : undefined));
  });
});

describe('mingle between Python and Celeriac workers (a revoke survives a rolling restart)', function () {
  this.timeout(90_000);
  let harness: Harness;
  let python: PythonWorker | null = null;
  before(() => assertPythonCelery());
  beforeEach(() => (harness = new Harness()));
  afterEach(async () => {
    await python?.stop();
    python = null;
    await harness.release();
  });

  /** run_worker.sh names its node after the queue, with Celery's %h (the full host name). */
  const pythonNode = (queue: string) => `interop-${queue}@${hostname()}`;

  it('a Python worker started with mingle learns a revoke from a running Celeriac worker (float timestamps accepted)', async () => {
    await harness.start();
    const id = randomUUID();
    await harness.sharedClient.revoke(id);
    await eventually(async () => ((await harness.inspect('revoked')) as string[]).includes(id) || undefined);
    const queue = harness.extraQueue('pyinspect-pymingle');
    python = await PythonWorker.start(queue, { env: { CELERIAC_PEER_MINGLE: '1' } });
    expect(await harness.inspectNode(pythonNode(queue), 'revoked')).to.include(id);
    expect(python.output).not.to.match(/Expecting float timestamp|mingle.*error/i);
  });

  it('a Celeriac worker started with mingle learns a revoke from a running Python worker', async () => {
    const queue = harness.extraQueue('pyinspect-tsmingle');
    python = await PythonWorker.start(queue);
    const id = randomUUID();
    await harness.sharedClient.revoke(id);
    await eventually(
      async () => ((await harness.inspectNode(pythonNode(queue), 'revoked')) as string[]).includes(id) || undefined,
      20_000,
    );
    await harness.start({ mingle: true });
    expect(await harness.inspect('revoked')).to.include(id);
  });
});
