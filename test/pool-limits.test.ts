/**
 * Issue 19, item 4, on the real broker: Celery's guards against leaky handlers and its
 * autoscaler. --max-tasks-per-child and --max-memory-per-child replace a pool thread or process
 * after its task (in code, through the CLI), and autoscale moves the concurrency between its
 * bounds with the load, and with `control autoscale`.
 */
import { expect } from 'chai';
import { Client } from '@celeriac/client';
import type { ChildRecycledInfo, Worker } from '@celeriac/worker';
import { BROKER_URL, deleteQueues, eventually, uniqueName } from './support/broker.js';
import { controlCall } from './support/pidbox.js';
import { SpawnedCli } from './support/spawned-cli.js';
import { TaskHarness, sleep } from './support/task-harness.js';
import tasks, { leak, nap, where } from './fixtures/blocking-tasks.js';
import cpuTasks, { offLoop, onLoop } from './fixtures/cpu-tasks.js';

const APP = new URL('./fixtures/blocking-tasks.js', import.meta.url).href;
const BLOCKING_APP = 'test/dist/fixtures/blocking-tasks.js';

describe('pool limits: recycling children, autoscale', function () {
  this.timeout(60_000);
  let harness: TaskHarness;
  beforeEach(() => (harness = new TaskHarness('pool-limits')));
  afterEach(() => harness.release());

  function recycled(worker: Worker): ChildRecycledInfo[] {
    const seen: ChildRecycledInfo[] = [];
    worker.on('pool:child-recycled', (info) => seen.push(info));
    return seen;
  }

  it('runs a task registered cpu: true in a pool thread on an inline worker, the others on its event loop', async () => {
    const app = new URL('./fixtures/cpu-tasks.js', import.meta.url).href;
    await harness.worker(cpuTasks, { appModule: app, pool: 'inline' });
    const client = harness.client();
    expect(await (await client.send(onLoop, [])).get({ timeoutMs: 10_000 }), 'the main thread').to.equal(0);
    expect(await (await client.send(offLoop, [])).get({ timeoutMs: 10_000 }), 'a pool thread').to.not.equal(0);
  });

  it('replaces a pool thread after maxTasksPerChild tasks', async () => {
    const worker = await harness.worker(tasks, { appModule: APP, concurrency: 1, maxTasksPerChild: 2 });
    const seen = recycled(worker);
    const client = harness.client();
    const threads: number[] = [];
    for (let n = 0; n < 5; n++)
      threads.push((await (await client.send(where, [])).get({ timeoutMs: 10_000 })).threadId);
    expect(threads[0]).to.equal(threads[1]);
    expect(threads[2]).to.equal(threads[3]);
    expect(new Set(threads).size, 'three threads for five tasks').to.equal(3);
    await eventually(() => (seen.length === 2 ? true : undefined));
    expect(seen.map(({ kind, reason }) => `${kind} ${reason}`)).to.deep.equal([
      'threads max-tasks-per-child',
      'threads max-tasks-per-child',
    ]);
  });

  it('replaces a pool process that holds more than maxMemoryPerChildKb after its task', async () => {
    const worker = await harness.worker(tasks, {
      appModule: APP,
      pool: 'processes',
      concurrency: 1,
      maxMemoryPerChildKb: 200 * 1024, // a fresh child is near 50 MB resident
    });
    const seen = recycled(worker);
    const client = harness.client();
    const before = await (await client.send(where, [])).get({ timeoutMs: 10_000 });
    expect(before.pid, 'it runs in a child process').to.not.equal(process.pid);
    expect((await (await client.send(where, [])).get({ timeoutMs: 10_000 })).pid, 'below the limit: kept').to.equal(
      before.pid,
    );
    const leaker = await (await client.send(leak, [300])).get({ timeoutMs: 10_000 });
    expect(leaker.pid).to.equal(before.pid);
    const after = await (await client.send(where, [])).get({ timeoutMs: 10_000 });
    expect(after.pid, 'a new process after the leak').to.not.equal(before.pid);
    expect(seen).to.have.length(1);
    expect(seen[0]).to.deep.include({ kind: 'processes', reason: 'max-memory-per-child' });
    expect(seen[0]!.memoryKb).to.be.above(200 * 1024);
  });

  it('grows with the load up to max, shrinks back to min after the keepalive, and takes new bounds from control autoscale', async () => {
    const worker = await harness.worker(tasks, {
      appModule: APP,
      autoscale: { max: 3, min: 1, keepaliveMs: 1000 },
      nodeName: uniqueName('autoscale'),
    });
    expect(worker.concurrency).to.equal(1);
    let running = 0;
    let most = 0;
    worker.on('task:received', () => (most = Math.max(most, ++running)));
    const finished = () => (running -= 1);
    worker.on('task:succeeded', finished);
    const client = harness.client();
    const results = await Promise.all(Array.from({ length: 8 }, () => client.send(nap, [1500])));
    await eventually(() => (worker.concurrency === 3 ? true : undefined), 10_000);
    await Promise.all(results.map((result) => result.get({ timeoutMs: 30_000 })));
    expect(most, 'never more than max at once').to.equal(3);
    await eventually(() => (worker.concurrency === 1 ? true : undefined), 10_000);

    const node = worker.options.nodeName;
    const replies = await controlCall({ method: 'autoscale', arguments: { max: 5, min: 2 }, destination: [node] });
    expect(replies).to.deep.equal([{ [node]: { ok: 'autoscale now max=5 min=2' } }]);
    expect(worker.concurrency, 'the size moves into the new bounds').to.equal(2);
    await sleep(1500);
    expect(worker.concurrency, 'and stays at the new min without load').to.equal(2);
  });
});

describe('celeriac worker --pool processes --max-tasks-per-child / --autoscale (spawned)', function () {
  this.timeout(40_000);
  let queue: string;
  let client: Client;
  let spawned: SpawnedCli | undefined;

  beforeEach(() => {
    queue = uniqueName('pool-cli');
    client = new Client({ brokerUrl: BROKER_URL, defaultQueue: queue });
  });
  afterEach(async () => {
    await spawned?.stop();
    await client.close();
    await deleteQueues(queue);
  });

  it('runs each task in a fresh process with --max-tasks-per-child 1', async () => {
    spawned = SpawnedCli.start(
      ['worker', '--app', BLOCKING_APP, '-Q', queue, '-c', '1'].concat([
        '--pool',
        'processes',
        '--max-tasks-per-child',
        '1',
      ]),
    );
    await spawned.waitForLog((line) => line.message === 'worker ready');
    const pids: number[] = [];
    for (let n = 0; n < 3; n++) pids.push((await (await client.send(where, [])).get({ timeoutMs: 10_000 })).pid);
    expect(new Set(pids).size).to.equal(3);
    expect(pids).to.not.include(spawned.child.pid);
  });

  it('starts with --autoscale MAX,MIN at MIN and answers stats with the autoscaler', async () => {
    spawned = SpawnedCli.start([
      'worker',
      '--app',
      BLOCKING_APP,
      '-Q',
      queue,
      '--autoscale',
      '4,2',
      '-n',
      `${queue}@h`,
    ]);
    await spawned.waitForLog((line) => line.message === 'worker ready');
    const [reply] = await controlCall({ method: 'stats', destination: [`${queue}@h`] });
    const stats = reply?.[`${queue}@h`] as { pool: Record<string, unknown>; autoscaler: Record<string, unknown> };
    expect(stats.pool).to.deep.include({ 'max-concurrency': 2, implementation: 'celeriac:threads' });
    expect(stats.autoscaler).to.deep.include({ max: 4, min: 2, current: 2 });
  });
});
