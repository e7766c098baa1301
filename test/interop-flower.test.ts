/**
 * Flower (issue 14, item 6), from PyPI (requirements/celery-peer.txt), started on the same broker
 * as a Celeriac worker run without -E: Flower turns the worker's task events on by itself (its
 * `enable_events` broadcast, every 5 s), shows the worker online (from its heartbeats), lists it
 * (`/api/workers`, built from inspect replies) and its tasks with their states, worker and runtimes
 * (`/api/tasks`, built from task events), as it lists a Python worker's. Flower is a tool no one
 * here wrote.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { Client } from '@celeriac/client';
import { BROKER_URL, deleteQueues, eventually, uniqueName } from './support/broker.js';
import { freePort } from './support/metrics-scrape.js';
import { PEER_DIR } from './support/python-peer.js';
import { ROOT, SpawnedCli } from './support/spawned-cli.js';

const FLOWER_CELERY = join(ROOT, '.venv-celery', 'bin', 'celery');
/** Flower's port: CELERIAC_TEST_FLOWER_PORT, else a free one (npm test runs this file once per Celery peer, side by side). */
const portOfFlower = async () => Number(process.env.CELERIAC_TEST_FLOWER_PORT ?? (await freePort()));

interface FlowerTask {
  name: string;
  state: string;
  worker: string;
  runtime: number | null;
  exception?: string | null;
}

describe('Flower sees a Celeriac worker and its tasks', function () {
  this.timeout(120_000);
  const queue = uniqueName('flower');
  const node = `${uniqueName('flower-node')}@host`;
  let worker: SpawnedCli;
  let flower: ChildProcess;
  let flowerLog = '';
  let client: Client;
  let API = '';

  before(async () => {
    const port = await portOfFlower();
    API = `http://127.0.0.1:${port}/api`;
    if (!existsSync(FLOWER_CELERY)) throw new Error(`no Flower: ${FLOWER_CELERY} is missing (npm run setup makes it)`);
    worker = await SpawnedCli.worker([queue], '-n', node);
    flower = spawn(
      FLOWER_CELERY,
      ['-A', 'interop_tasks', '--broker', BROKER_URL, 'flower', `--port=${port}`, '--address=127.0.0.1'],
      {
        cwd: PEER_DIR,
        env: { ...process.env, FLOWER_UNAUTHENTICATED_API: 'true', PYTHONDONTWRITEBYTECODE: '1' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    flower.stdout?.on('data', (chunk: Buffer) => (flowerLog += chunk.toString()));
    flower.stderr?.on('data', (chunk: Buffer) => (flowerLog += chunk.toString()));
    await eventually(
      () =>
        fetch(`${API}/workers`).then(
          (r) => (r.ok ? true : undefined),
          () => undefined,
        ),
      30_000,
    ).catch((error: Error) => {
      throw new Error(`${error.message}; Flower said:\n${flowerLog.slice(-3000)}`);
    });
    client = new Client({ brokerUrl: BROKER_URL, resultBackend: null });
  });
  after(async () => {
    await client?.close();
    flower?.kill('SIGTERM');
    await worker?.stop();
    await deleteQueues(queue);
  });

  it('lists the worker from its inspect replies: online, its tasks and queues', async () => {
    await eventually(async () => {
      const status = (await (await fetch(`${API}/workers?status=1`)).json()) as Record<string, boolean>;
      return status[node] === true ? true : undefined;
    }, 30_000);
    const workers = await eventually(async () => {
      const body = (await (await fetch(`${API}/workers?refresh=1`)).json()) as Record<string, Record<string, unknown>>;
      return body[node]?.registered ? body : undefined;
    }, 30_000);
    const ours = workers[node] ?? {};
    expect(ours.registered).to.include('sem.nap');
    expect((ours.active_queues as Array<{ name: string }>).map((q) => q.name)).to.include(queue);
    expect(ours.stats).to.have.property('pool');
  });

  it('turns its task events on, then lists its tasks from them: SUCCESS and FAILURE, the worker, runtimes', async () => {
    // Started without -E: tasks show up once Flower's enable_events has reached the worker.
    const probes: string[] = [];
    await eventually(async () => {
      await new Promise((resolve) => setTimeout(resolve, 250));
      probes.push((await client.sendTask('sem.nap', [10], {}, { queue })).id);
      const body = (await (await fetch(`${API}/tasks`)).json()) as Record<string, FlowerTask>;
      return probes.some((id) => body[id]?.state === 'SUCCESS') ? true : undefined;
    }, 30_000);
    const ok = await client.sendTask('sem.nap', [200], {}, { queue });
    const bad = await client.sendTask('sem.fail', ['flower sees this'], {}, { queue });
    const tasks = await eventually(async () => {
      const body = (await (await fetch(`${API}/tasks`)).json()) as Record<string, FlowerTask>;
      return body[ok.id]?.state === 'SUCCESS' && body[bad.id]?.state === 'FAILURE' ? body : undefined;
    }, 30_000).catch((error: Error) => {
      throw new Error(`${error.message}; Flower said:\n${flowerLog.slice(-3000)}`);
    });
    const [succeeded, failed] = [tasks[ok.id], tasks[bad.id]];
    expect(succeeded).to.include({ name: 'sem.nap', state: 'SUCCESS', worker: node });
    expect(succeeded?.runtime).to.be.within(0.15, 5);
    expect(failed).to.include({ name: 'sem.fail', state: 'FAILURE', worker: node });
    expect(failed?.exception).to.include('flower sees this');
  });
});
