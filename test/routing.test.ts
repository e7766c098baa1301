/**
 * Routing and priority on the real broker: client-side routes (name or glob → queue) below a
 * send's own queue and above the default queue, workers consuming several queues, queues declared
 * with x-max-priority (in-process and through `celeriac worker --max-priority`), and the broker
 * handing the highest priority out first.
 */
import { expect } from 'chai';
import { Client } from '@celeriac/client';
import { Worker } from '@celeriac/worker';
import { BROKER_URL, deleteQueues, uniqueName } from './support/broker.js';
import { SpawnedCli } from './support/spawned-cli.js';
import { TaskHarness } from './support/task-harness.js';
import tasks, { nap, whereAmI } from './fixtures/semantics-tasks.js';

describe('routing and priority', function () {
  this.timeout(30_000);
  let harness: TaskHarness;
  beforeEach(() => (harness = new TaskHarness('route')));
  afterEach(() => harness.release());

  /** A worker on these queues that records the queue each task arrived on (tasks are sent after it started). */
  async function recordingWorker(queues: string[]) {
    const arrivals = new Map<string, string>();
    const worker = await harness.worker(tasks, { queues });
    worker.on('task:received', ({ id, queue }) => arrivals.set(id, queue));
    return arrivals;
  }

  it('sends to the queue a glob route names when the send names none', async function () {
    const routed = harness.extraQueue('routed');
    const arrivals = await recordingWorker([harness.queue, routed]);
    const client = harness.client({ routes: { 'sem.*': routed } });
    const result = await client.send(whereAmI, []);
    await result.get({ timeoutMs: 10_000 });
    expect(arrivals.get(result.id)).to.equal(routed);
  });

  it("lets the send's own queue beat the routes, and falls back to the default queue for unrouted names", async function () {
    const routed = harness.extraQueue('routed');
    const chosen = harness.extraQueue('chosen');
    const arrivals = await recordingWorker([harness.queue, routed, chosen]);
    const client = harness.client({ routes: { 'sem.where': routed, 'other.*': routed } });
    const explicit = await client.send(whereAmI, [], { queue: chosen });
    const unrouted = await client.send(nap, [1]);
    await Promise.all([explicit.get({ timeoutMs: 10_000 }), unrouted.get({ timeoutMs: 10_000 })]);
    expect(arrivals.get(explicit.id)).to.equal(chosen);
    expect(arrivals.get(unrouted.id)).to.equal(harness.queue);
  });

  it('runs the highest priority first from a queue declared with x-max-priority', async function () {
    const queueOptions = { [harness.queue]: { maxPriority: 10 } };
    const client = harness.client({ queues: queueOptions });
    // No consumer yet: all four wait in the queue, where the broker orders them by priority.
    const low = await Promise.all([1, 2, 3].map(() => client.send(nap, [1], { priority: 1 })));
    const high = await client.send(nap, [1], { priority: 9 });
    const order: string[] = [];
    // Listening before start(): the first task may arrive before start() resolves.
    const worker = new Worker({
      brokerUrl: BROKER_URL,
      tasks,
      queues: [harness.queue],
      queueOptions,
      concurrency: 1,
      prefetchMultiplier: 1,
    });
    worker.on('task:received', ({ id }) => order.push(id));
    try {
      await worker.start();
      await Promise.all([...low, high].map((result) => result.get({ timeoutMs: 10_000 })));
    } finally {
      await worker.stop();
    }
    expect(order).to.have.length(4);
    expect(order[0]).to.equal(high.id);
  });
});

describe('celeriac worker -Q a,b --max-priority (spawned)', function () {
  this.timeout(30_000);
  const queues = [uniqueName('qa'), uniqueName('qb')];
  let worker: SpawnedCli | undefined;
  let client: Client;

  beforeEach(
    () =>
      (client = new Client({
        brokerUrl: BROKER_URL,
        queues: Object.fromEntries(queues.map((q) => [q, { maxPriority: 5 }])),
      })),
  );

  afterEach(async function () {
    await worker?.stop();
    await client.close();
    await deleteQueues(...queues);
  });

  it('consumes every listed queue, declared with the priority the flag gives (a mismatch would be a 406)', async function () {
    // The client declares both queues with x-max-priority 5 first: a worker declaring them
    // without it (or with another value) fails to start.
    const [first, second] = await Promise.all(queues.map((queue) => client.send(whereAmI, [], { queue, priority: 3 })));
    worker = await SpawnedCli.worker(queues, '--max-priority', '5', '-c', '2');
    const results = await Promise.all([first!, second!].map((result) => result.get({ timeoutMs: 10_000 })));
    expect(results.map((result) => typeof result?.pid)).to.deep.equal(['number', 'number']);
    const received = worker
      .logs()
      .filter((line) => line.message === 'task received')
      .map((line) => line.queue);
    expect(received).to.have.members(queues);
  });
});
