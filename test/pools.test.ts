/**
 * Concurrency and scale-out on the real broker: the 'threads' pool (in-process and through
 * `celeriac worker --pool threads`), several workers sharing one queue, and `celeriac worker
 * --processes N`, which keeps N worker processes running and stops them all on SIGTERM.
 */
import { expect } from 'chai';
import { Client, TaskFailedError } from '@celeriac/client';
import { BROKER_URL, deleteQueues, eventually, uniqueName } from './support/broker.js';
import { ROOT, SEMANTICS_APP, SpawnedCli } from './support/spawned-cli.js';
import { TaskHarness } from './support/task-harness.js';
import tasks, { exitThread, nap, spin, whereAmI } from './fixtures/semantics-tasks.js';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('worker pools and scale-out', function () {
  this.timeout(30_000);
  let harness: TaskHarness;
  beforeEach(() => (harness = new TaskHarness('pools')));
  afterEach(() => harness.release());

  it("runs handlers in worker threads with pool 'threads', and a thread that exits fails only its task", async function () {
    await harness.worker(tasks, { pool: 'threads', appModule: `${ROOT}${SEMANTICS_APP}`, concurrency: 2 });
    const client = harness.client();
    const lost = await client.send(exitThread, []);
    const failure = await lost.get({ timeoutMs: 10_000 }).then(
      () => null,
      (error: unknown) => error,
    );
    expect(failure).to.be.instanceOf(TaskFailedError);
    expect((failure as TaskFailedError).excType).to.equal('WorkerLostError');
    const results = await Promise.all(
      [1, 2, 3].map(() => client.send(whereAmI, []).then((result) => result.get({ timeoutMs: 10_000 }))),
    );
    for (const { threadId, pid } of results) {
      expect(pid).to.equal(process.pid);
      expect(threadId).to.not.equal(0); // the main thread's id
    }
  });

  it('shares one queue between any number of workers', async function () {
    const ran = new Map<string, number>();
    for (const name of ['a', 'b']) {
      const worker = await harness.worker(tasks, { concurrency: 1, prefetchMultiplier: 1 });
      worker.on('task:succeeded', () => ran.set(name, (ran.get(name) ?? 0) + 1));
    }
    const client = harness.client();
    // Each task takes a while, so a worker holding one cannot take the next: the broker hands it on.
    const results = await Promise.all(Array.from({ length: 6 }, () => client.send(nap, [100])));
    await Promise.all(results.map((result) => result.get({ timeoutMs: 10_000 })));
    // 'task:succeeded' fires after the result is out, so the last one may still be on its way.
    await eventually(() => ([...ran.values()].reduce((sum, count) => sum + count, 0) === 6 ? true : undefined));
    expect(ran.get('a')).to.be.greaterThan(0);
    expect(ran.get('b')).to.be.greaterThan(0);
  });
});

describe('celeriac worker --pool threads / --processes (spawned)', function () {
  this.timeout(40_000);
  let queue: string;
  let client: Client;
  let spawned: SpawnedCli | undefined;

  beforeEach(function () {
    queue = uniqueName('scale');
    client = new Client({ brokerUrl: BROKER_URL, defaultQueue: queue });
  });

  afterEach(async function () {
    const pids =
      spawned
        ?.logs()
        .filter((line) => line.message === 'worker process started')
        .map((line) => Number(line.pid)) ?? [];
    await spawned?.stop();
    for (const pid of pids.filter(alive)) process.kill(pid, 'SIGKILL');
    await client.close();
    await deleteQueues(queue);
  });

  it('runs CPU-bound tasks in threads with --pool threads', async function () {
    spawned = await SpawnedCli.worker([queue], '--pool', 'threads', '-c', '2');
    const where = await (await client.send(whereAmI, [])).get({ timeoutMs: 10_000 });
    expect(where.threadId).to.not.equal(0);
    expect(await (await client.send(spin, [50])).get({ timeoutMs: 10_000 })).to.equal(0);
  });

  it('keeps N worker processes running, restarts one that dies, and exits 0 after passing SIGTERM on', async function () {
    spawned = SpawnedCli.start(['worker', '--app', SEMANTICS_APP, '-Q', queue, '--processes', '2', '-c', '1']);
    const readyCount = () => spawned?.logs().filter((line) => line.message === 'worker ready').length ?? 0;
    await eventually(() => (readyCount() === 2 ? true : undefined), 15_000);
    const [first] = spawned.logs().filter((line) => line.message === 'worker process started');
    process.kill(Number(first?.pid), 'SIGKILL');
    await spawned.waitForLog(
      (line) => line.message === 'worker process died; restarting it' && line.pid === first?.pid,
    );
    await eventually(() => (readyCount() === 3 ? true : undefined), 15_000);
    expect(await (await client.send(nap, [1])).get({ timeoutMs: 10_000 })).to.equal('slept');
    spawned.child.kill('SIGTERM');
    expect((await spawned.exited).code, spawned.stderr).to.equal(0);
    const children = spawned
      .logs()
      .filter((line) => line.message === 'worker process started')
      .map((line) => Number(line.pid));
    expect(children).to.have.length(3);
    expect(children.filter(alive)).to.deep.equal([]);
    expect(spawned.logs().filter((line) => line.message === 'worker stopped')).to.have.length(2);
  });
});
