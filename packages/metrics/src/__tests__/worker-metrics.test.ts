import { expect } from 'chai';
import { silentLogger } from '@celeriac/core';
import { Registry } from 'prom-client';
import { MetricsServer } from '../metrics-server.js';
import { WorkerMetrics } from '../worker-metrics.js';

function metrics(known: string[] = ['tasks.add']) {
  const registry = new Registry();
  const state = { running: 2, held: 5, connected: true, concurrency: 4, loopDelay: { p99Ms: 12, maxMs: 10_500 } };
  const worker = new WorkerMetrics({ registry, gauges: () => state, knownTask: (name) => known.includes(name) });
  return { registry, worker, state };
}

describe('WorkerMetrics', () => {
  it('counts outcomes by task and queue and observes runtimes in seconds', async () => {
    const { registry, worker } = metrics();
    worker.received({ name: 'tasks.add', queue: 'math' });
    worker.succeeded({ name: 'tasks.add', queue: 'math', runtimeMs: 1500 });
    const text = await registry.metrics();
    expect(text).to.contain('celeriac_worker_tasks_total{task="tasks.add",queue="math",outcome="received"} 1');
    expect(text).to.contain('celeriac_worker_tasks_total{task="tasks.add",queue="math",outcome="succeeded"} 1');
    expect(text).to.contain('celeriac_worker_task_runtime_seconds_sum{task="tasks.add",queue="math"} 1.5');
  });

  it('counts a task revoked before the gates let it through as received, one revoked after as received once', async () => {
    const { registry, worker } = metrics();
    const task = { name: 'tasks.add', queue: 'math' };
    worker.revoked({ ...task, reserved: false });
    worker.received(task);
    worker.started(task);
    worker.revoked({ ...task, reserved: true });
    const text = await registry.metrics();
    expect(text).to.contain('celeriac_worker_tasks_total{task="tasks.add",queue="math",outcome="received"} 2');
    expect(text).to.contain('celeriac_worker_tasks_total{task="tasks.add",queue="math",outcome="started"} 1');
    expect(text).to.contain('celeriac_worker_tasks_total{task="tasks.add",queue="math",outcome="revoked"} 2');
  });

  it('reads the gauges at scrape time', async () => {
    const { registry, state } = metrics();
    state.connected = false;
    const text = await registry.metrics();
    expect(text).to.contain('celeriac_worker_tasks_running 2');
    expect(text).to.contain('celeriac_worker_prefetch_in_use 5');
    expect(text).to.contain('celeriac_worker_broker_connected 0');
    expect(text).to.contain('celeriac_worker_concurrency 4');
    expect(text).to.contain('celeriac_worker_event_loop_delay_p99_seconds 0.012');
    expect(text).to.contain('celeriac_worker_event_loop_delay_max_seconds 10.5');
  });

  it('counts blocked loops by task and recycled pool children by reason', async () => {
    const { registry, worker } = metrics();
    worker.loopBlocked({ name: 'tasks.add', queue: 'q' });
    worker.childRecycled({ reason: 'max-memory-per-child' });
    const text = await registry.metrics();
    expect(text).to.contain('celeriac_worker_loop_blocked_total{task="tasks.add"} 1');
    expect(text).to.contain('celeriac_worker_pool_recycled_total{reason="max-memory-per-child"} 1');
  });

  it('labels dead letters of names the worker does not run as unregistered (bounded series)', async () => {
    const { registry, worker } = metrics();
    worker.deadLettered({ task: 'attacker.chosen.1', queue: 'q', code: 'NOT_REGISTERED' });
    worker.deadLettered({ task: null, queue: 'q', code: 'DECODE_FAILED' });
    worker.deadLettered({ task: 'tasks.add', queue: 'q', code: 'MAX_DELIVERIES' });
    const text = await registry.metrics();
    expect(text).not.to.contain('attacker');
    expect(text).to.contain(
      'celeriac_worker_dead_lettered_total{task="unregistered",queue="q",code="NOT_REGISTERED"} 1',
    );
    expect(text).to.contain('celeriac_worker_dead_lettered_total{task="tasks.add",queue="q",code="MAX_DELIVERIES"} 1');
  });
});

describe('MetricsServer', () => {
  it('serves /metrics, /healthz as the check says, and nothing else', async () => {
    const { registry } = metrics();
    let healthy = true;
    const server = await MetricsServer.start({
      port: 0,
      host: '127.0.0.1',
      registry,
      healthy: () => healthy,
      logger: silentLogger,
    });
    try {
      const get = (path: string) => fetch(`http://127.0.0.1:${server.port}${path}`);
      expect((await get('/healthz')).status).to.equal(200);
      healthy = false;
      expect((await get('/healthz')).status).to.equal(503);
      const scraped = await get('/metrics');
      expect([scraped.status, scraped.headers.get('content-type')]).to.deep.equal([200, registry.contentType]);
      expect((await get('/other')).status).to.equal(404);
    } finally {
      await server.close();
    }
  });
});
