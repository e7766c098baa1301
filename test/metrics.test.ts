/**
 * Prometheus metrics and /healthz on the real broker, through the wiring `--metrics-port` uses
 * (serveWorkerMetrics): counters by task and queue after real tasks, and a health check that fails
 * while the broker connection is down and once the worker stops. The beat's: metrics-beat.test.ts.
 */
import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { serveWorkerMetrics } from '@celeriac/cli';
import { silentLogger } from '@celeriac/core';
import type { MetricsServer } from '@celeriac/metrics';
import { TaskRegistry, type TaskContext } from '@celeriac/worker';
import { eventually, sideBeatGroup, uniqueName } from './support/broker.js';
import { canCloseConnections, closeConnectionsNamed } from './support/connections.js';
import { takeDeadLetter } from './support/dead-letters.js';
import { freePort, health, sample, scrape } from './support/metrics-scrape.js';
import { controlCall } from './support/pidbox.js';
import { SEMANTICS_APP, SpawnedCli } from './support/spawned-cli.js';
import { TaskHarness } from './support/task-harness.js';

describe('metrics and health checks', function () {
  this.timeout(60_000);
  let harness: TaskHarness;
  const servers: MetricsServer[] = [];
  const ok = uniqueName('metrics.ok');
  const boom = uniqueName('metrics.boom');
  const again = uniqueName('metrics.again');
  beforeEach(() => (harness = new TaskHarness('metrics')));
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((server) => server.close()));
    await harness.release();
  });

  function tasks(): TaskRegistry {
    return new TaskRegistry()
      .register(ok, () => 'ok')
      .register(boom, () => {
        throw new Error('boom');
      })
      .register(again, (ctx: TaskContext) => (ctx.retries === 0 ? ctx.retry({ countdownMs: 0 }) : 'second try'));
  }

  async function serve(nodeName: string) {
    const worker = await harness.worker(tasks(), { nodeName });
    const server = await serveWorkerMetrics(worker, 0, silentLogger);
    servers.push(server);
    return { worker, server };
  }

  it('counts received, succeeded, failed, retried, revoked and dead-lettered tasks by task and queue', async () => {
    const nodeName = uniqueName('metrics-node');
    const { server } = await serve(nodeName);
    const client = harness.sharedClient;
    const outcomes = async (name: string, count: number) =>
      Promise.allSettled(
        await Promise.all(Array.from({ length: count }, () => client.sendTask(name, []))).then((sent) =>
          sent.map((result) => result.get({ timeoutMs: 20_000 })),
        ),
      );
    await outcomes(ok, 3);
    await outcomes(boom, 2);
    await outcomes(again, 1);
    const revokedId = randomUUID();
    await client.revoke(revokedId);
    await eventually(async () => {
      const [reply] = await controlCall({ method: 'revoked', destination: [nodeName] });
      return JSON.stringify(reply).includes(revokedId) ? true : undefined;
    });
    await Promise.allSettled([(await client.sendTask(ok, [], {}, { taskId: revokedId })).get({ timeoutMs: 20_000 })]);
    const unknown = await client.sendTask(uniqueName('metrics.unknown'), []);
    await takeDeadLetter(unknown.id);

    const text = await eventually(async () => {
      const body = await scrape(server);
      return sample(body, 'celeriac_worker_dead_lettered_total', { queue: harness.queue }) === 1 ? body : undefined;
    });
    const count = (task: string, outcome: string) =>
      sample(text, 'celeriac_worker_tasks_total', { task, queue: harness.queue, outcome });
    // The revoked one was received too, and never started.
    const okCounts = ['received', 'started', 'succeeded', 'revoked'].map((outcome) => count(ok, outcome));
    expect(okCounts).to.deep.equal([4, 3, 3, 1]);
    const boomCounts = ['received', 'started', 'failed', 'succeeded'].map((outcome) => count(boom, outcome));
    expect(boomCounts).to.deep.equal([2, 2, 2, undefined]);
    const againCounts = ['received', 'started', 'retried', 'succeeded'].map((outcome) => count(again, outcome));
    expect(againCounts).to.deep.equal([2, 2, 1, 1]);
    const dead = { task: 'unregistered', queue: harness.queue, code: 'NOT_REGISTERED' };
    expect(sample(text, 'celeriac_worker_dead_lettered_total', dead)).to.equal(1);
    const runtime = { task: ok, queue: harness.queue };
    expect(sample(text, 'celeriac_worker_task_runtime_seconds_count', runtime)).to.equal(3);
    expect(sample(text, 'celeriac_worker_broker_connected')).to.equal(1);
    expect(sample(text, 'celeriac_worker_tasks_running')).to.equal(0);
  });

  it('answers /healthz 200 while consuming, 503 while the broker connection is down and once stopping', async function () {
    if (!(await canCloseConnections())) return this.skip();
    const nodeName = uniqueName('metrics-node');
    const { worker, server } = await serve(nodeName);
    expect(await health(server)).to.equal(200);
    const statuses = new Set<number>();
    const polling = (async () => {
      for (const until = Date.now() + 20_000; Date.now() < until && !(statuses.has(503) && worker.healthy);)
        statuses.add(await health(server));
    })();
    expect(await closeConnectionsNamed(`${nodeName}:consume`)).to.equal(1);
    await polling;
    expect([...statuses].sort()).to.deep.equal([200, 503]);
    // Back: consuming again, and the reconnect counted.
    await eventually(async () => ((await health(server)) === 200 ? true : undefined));
    const text = await scrape(server);
    expect(sample(text, 'celeriac_worker_broker_reconnects_total', { connection: 'consume' })).to.equal(1);
    await worker.stop({ timeoutMs: 2000 });
    expect(await health(server)).to.equal(503);
    expect(sample(await scrape(server), 'celeriac_worker_broker_connected')).to.equal(0);
  });

  it('shows the messages a real worker holds in celeriac_worker_prefetch_in_use', async () => {
    const slow = uniqueName('metrics.slow');
    let release = (): void => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const worker = await harness.worker(
      new TaskRegistry().register(slow, () => gate.then(() => 'done')),
      { concurrency: 2, prefetchMultiplier: 3 },
    );
    const server = await serveWorkerMetrics(worker, 0, silentLogger);
    servers.push(server);
    const sent = await Promise.all(Array.from({ length: 8 }, () => harness.sharedClient.sendTask(slow, [])));
    // Two run, four wait for a slot (prefetch 2 × 3), two wait in the queue.
    const text = await eventually(async () => {
      const body = await scrape(server);
      return sample(body, 'celeriac_worker_prefetch_in_use') === 6 ? body : undefined;
    });
    expect(sample(text, 'celeriac_worker_tasks_running')).to.equal(2);
    release();
    await Promise.all(sent.map((result) => result.get({ timeoutMs: 20_000 })));
    await eventually(async () =>
      sample(await scrape(server), 'celeriac_worker_prefetch_in_use') === 0 ? true : undefined,
    );
  });

  it("shows a handler that holds the event loop in the loop delay and the blocked-loop count (the loop watchdog's)", async () => {
    const blocking = uniqueName('metrics.blocking');
    const worker = await harness.worker(
      new TaskRegistry().register(blocking, () => {
        const end = Date.now() + 1500;
        while (Date.now() < end); // computes on the inline pool
        return 'done';
      }),
    );
    const server = await serveWorkerMetrics(worker, 0, silentLogger);
    servers.push(server);
    expect(await (await harness.sharedClient.sendTask(blocking, [])).get({ timeoutMs: 20_000 })).to.equal('done');
    const text = await eventually(async () => {
      const body = await scrape(server);
      return sample(body, 'celeriac_worker_loop_blocked_total', { task: blocking }) === 1 ? body : undefined;
    });
    expect(sample(text, 'celeriac_worker_event_loop_delay_max_seconds')).to.be.at.least(1.2);
  });

  it('is served by `celeriac worker` on CELERIAC_METRICS_PORT and `celeriac beat --metrics-port`', async () => {
    const [workerPort, beatPort] = [await freePort(), await freePort()];
    const worker = SpawnedCli.start(['worker', '--app', SEMANTICS_APP, '-Q', harness.queue], {
      CELERIAC_METRICS_PORT: String(workerPort),
    });
    const beat = SpawnedCli.start(['beat', '--store', 'memory:', '--metrics-port', String(beatPort)], {
      CELERIAC_BEAT_GROUP: sideBeatGroup('metrics-cli'),
    });
    try {
      await worker.waitForLog((line) => line.message === 'worker ready');
      await beat.waitForLog((line) => line.message === 'beat leading');
      expect(await health({ port: workerPort })).to.equal(200);
      expect(await health({ port: beatPort })).to.equal(200);
      const text = await (await fetch(`http://127.0.0.1:${workerPort}/metrics`)).text();
      expect(sample(text, 'celeriac_worker_broker_connected')).to.equal(1);
      expect(sample(text, 'celeriac_worker_concurrency')).to.equal(10);
      expect(sample(text, 'celeriac_worker_event_loop_delay_max_seconds')).to.be.a('number');
      const beatText = await (await fetch(`http://127.0.0.1:${beatPort}/metrics`)).text();
      expect(sample(beatText, 'celeriac_beat_leader')).to.equal(1);
    } finally {
      await Promise.all([worker.stop(), beat.stop()]);
    }
  });
});
