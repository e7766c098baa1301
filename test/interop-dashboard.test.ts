/**
 * The dashboard's API with a Python Celery worker (5.2 or 5.6, as CELERIAC_TEST_PYTHON selects):
 * the worker is listed from its own events and inspect replies, a task the dashboard sends runs
 * there and its failure arrives with Python's traceback, and a control command gets its reply.
 */
import { expect } from 'chai';
import { Dashboard } from '@celeriac/dashboard';
import { BROKER_URL, deleteQueues, eventually, uniqueName } from './support/broker.js';
import { assertPythonCelery, PythonWorker, SOLO_POOL } from './support/python-peer.js';

const PAGE = { 'content-type': 'application/json', 'x-celeriac-dashboard': '1' };

interface WorkerRow {
  hostname: string;
  online: boolean;
  software: string | null;
  queues: string[] | null;
  concurrency: number | null;
}

describe('dashboard with a Python Celery worker', function () {
  this.timeout(90_000);
  const queue = uniqueName('pydash');
  let worker: PythonWorker;
  let dashboard: Dashboard;

  before(async function () {
    await assertPythonCelery();
    dashboard = await Dashboard.start({ brokerUrl: BROKER_URL, port: 0 });
    worker = await PythonWorker.start(queue, {
      workerArgs: [...SOLO_POOL, '-E'],
      env: { CELERIAC_PEER_HEARTBEAT: '1' },
    });
  });

  after(async function () {
    await worker?.stop();
    await dashboard?.close();
    await deleteQueues(queue);
  });

  const get = async <T>(path: string): Promise<T> => (await (await fetch(`${dashboard.url}${path}`)).json()) as T;
  const post = async <T>(path: string, body: unknown): Promise<T> => {
    const response = await fetch(`${dashboard.url}${path}`, {
      method: 'POST',
      headers: PAGE,
      body: JSON.stringify(body),
    });
    expect(response.status, path).to.equal(200);
    return (await response.json()) as T;
  };

  it('lists the worker with its software, queue and pool size', async function () {
    const row = await eventually(async () => {
      const rows = await get<WorkerRow[]>('api/workers');
      return rows.find((one) => one.hostname.startsWith(`interop-${queue}@`) && one.queues !== null);
    }, 30_000);
    expect(row.online).to.equal(true);
    expect(row.software).to.match(/^py-celery 5\./);
    expect(row.queues).to.deep.equal([queue]);
    expect(row.concurrency).to.equal(1);
  });

  it("sends a task that fails there and shows Python's traceback", async function () {
    const { id } = await post<{ id: string }>('api/tasks', { name: 'interop.fail', args: ['gasket 3 leaks'], queue });
    let last: unknown;
    const task = await eventually(async () => {
      const found = await get<{ state?: string; traceback?: string | null }>(`api/tasks/${id}`);
      last = found;
      return found.state === 'FAILURE' && found.traceback ? found : undefined;
    }, 30_000).catch((error: Error) => {
      error.message += `\nlast seen: ${JSON.stringify(last)}\nworker log:\n${worker.output.slice(-3000)}`;
      throw error;
    });
    expect(task.traceback).to.include('Traceback (most recent call last)').and.include('ValueError: gasket 3 leaks');
  });

  it("gets the worker's reply to a control command", async function () {
    const rows = await get<WorkerRow[]>('api/workers');
    const node = rows.find((one) => one.hostname.startsWith(`interop-${queue}@`))?.hostname ?? '';
    const { replies } = await post<{ replies: Record<string, { ok?: string }> }>(
      `api/workers/${encodeURIComponent(node)}/control`,
      { action: 'rate_limit', task: 'interop.add', rate: '5/s' },
    );
    expect(replies[node]?.ok).to.match(/rate limit set successfully/);
  });
});
