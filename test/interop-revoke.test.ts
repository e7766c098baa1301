/**
 * Interop: Python Celery's remote control (`app.control.revoke`, `celery inspect ping`)
 * against a Celeriac worker over the real broker.
 */
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { promisify } from 'node:util';
import { Client, type TaskFailedError } from '@celeriac/client';
import { TaskRegistry, Worker, type TaskContext } from '@celeriac/worker';
import { BROKER_URL, deleteQueues, eventually, uniqueName } from './support/broker.js';
import { controlCall } from './support/pidbox.js';
import { PEER_DIR, PEER_ENV, PYTHON, PythonWorker, assertPythonCelery, peerIsAtLeast } from './support/python-peer.js';

const run = promisify(execFile);
const TASK = 'celeriac.test.interop-revoke.task';

async function python(...argv: string[]): Promise<string> {
  const { stdout } = await run(PYTHON, argv, { cwd: PEER_DIR, env: PEER_ENV, timeout: 20_000 });
  return stdout;
}

/** Python's `app.control.revoke(...)`; with `--reply`, what the workers answered. */
async function pythonRevoke(...argv: string[]): Promise<unknown> {
  const line = (await python('control.py', 'revoke', ...argv)).trim().split('\n').pop() ?? '';
  return (JSON.parse(line) as { replies: unknown }).replies;
}

describe('interop: Python Celery remote control → Celeriac worker', function () {
  this.timeout(60_000);
  const queue = uniqueName('interop-revoke');
  const nodeName = uniqueName('interop-revoke-node');
  const calls: string[] = [];
  let started: () => void = () => undefined;
  let worker: Worker;
  let client: Client;

  before(async function () {
    await assertPythonCelery();
    const tasks = new TaskRegistry().register(TASK, async (mode: string, ctx: TaskContext) => {
      calls.push(mode);
      if (mode !== 'wait') return mode;
      started();
      await new Promise((resolve) => ctx.signal.addEventListener('abort', resolve, { once: true }));
      ctx.signal.throwIfAborted();
    });
    worker = new Worker({ brokerUrl: BROKER_URL, tasks, queues: [queue], nodeName });
    await worker.start();
    client = new Client({ brokerUrl: BROKER_URL, defaultQueue: queue });
  });

  after(async () => {
    await worker?.stop({ timeoutMs: 2000 });
    await client?.close();
    await deleteQueues(queue);
  });

  beforeEach(() => (calls.length = 0));

  it("honours Python's app.control.revoke(id): the task is REVOKED and never run", async () => {
    const id = randomUUID();
    expect(await pythonRevoke(id)).to.equal(null);
    // The revoke and the task travel on different queues: wait until the worker has the id.
    await eventually(async () => {
      const [reply] = await controlCall({ method: 'revoked', destination: [nodeName] });
      const ids = reply?.[nodeName];
      return Array.isArray(ids) && ids.includes(id) ? true : undefined;
    });
    const result = await client.sendTask(TASK, ['run'], {}, { taskId: id });
    const error = await result.get({ timeoutMs: 10_000 }).then(
      () => null,
      (e: unknown) => e as TaskFailedError,
    );
    expect([error?.state, error?.excType, error?.excMessage]).to.deep.equal(['REVOKED', 'TaskRevokedError', 'revoked']);
    expect(calls).to.deep.equal([]);
  });

  it("answers app.control.revoke(..., reply=True) with Celery's reply, which Python reads", async () => {
    const [a, b] = [randomUUID(), randomUUID()];
    const replies = await pythonRevoke(a, b, '--reply', '--destination', nodeName);
    expect(replies).to.deep.equal([{ [nodeName]: { ok: `tasks ${a}, ${b} flagged as revoked` } }]);
  });

  it("terminates a running task on Python's revoke(id, terminate=True): REVOKED 'terminated'", async () => {
    const running = new Promise<void>((resolve) => (started = resolve));
    const result = await client.sendTask(TASK, ['wait']);
    await running;
    const replies = await pythonRevoke(result.id, '--terminate', '--reply', '--destination', nodeName);
    expect(replies).to.deep.equal([{ [nodeName]: { ok: `terminate: ${result.id}` } }]);
    const error = await result.get({ timeoutMs: 10_000 }).then(
      () => null,
      (e: unknown) => e as TaskFailedError,
    );
    expect([error?.state, error?.excType, error?.excMessage]).to.deep.equal([
      'REVOKED',
      'TaskRevokedError',
      'terminated',
    ]);
  });

  it('answers `celery inspect ping` with a pong', async () => {
    const stdout = await python(
      '-m',
      'celery',
      '-A',
      'interop_tasks',
      'inspect',
      'ping',
      '-d',
      nodeName,
      '-j',
      '-t',
      '5',
    );
    expect(JSON.parse(stdout.trim())).to.deep.equal({ [nodeName]: { ok: 'pong' } });
  });
});

describe('interop: Celeriac client.revoke → Python Celery worker', function () {
  this.timeout(60_000);
  const queue = uniqueName('interop-revoke-py');
  // run_worker.sh names its node interop-<queue>@%h.
  const pythonNode = `interop-${queue}@${hostname()}`;
  let worker: PythonWorker | null = null;
  let client: Client;

  before(async function () {
    await assertPythonCelery();
    worker = await PythonWorker.start(queue);
    client = new Client({ brokerUrl: BROKER_URL, defaultQueue: queue });
  });

  after(async () => {
    await worker?.stop();
    await client?.close();
    await deleteQueues(queue);
  });

  it('is honoured by a Python worker: the revoked task is REVOKED there and never runs', async () => {
    const id = randomUUID();
    await client.revoke(id);
    await eventually(async () => {
      const [reply] = await controlCall({ method: 'revoked', destination: [pythonNode] });
      const ids = reply?.[pythonNode];
      return Array.isArray(ids) && ids.includes(id) ? true : undefined;
    }, 15_000);
    const result = await client.sendTask('interop.add', [1, 2], {}, { taskId: id });
    const error = await result.get({ timeoutMs: 15_000 }).then(
      () => null,
      (e: unknown) => e as TaskFailedError,
    );
    expect([error?.state, error?.excType]).to.deep.equal(['REVOKED', 'TaskRevokedError']);
  });

  it("answers a revoke with reply in its release's words, which the Celeriac control client reads", async () => {
    const id = randomUUID();
    const [reply] = await controlCall({
      method: 'revoke',
      arguments: { task_id: [id] },
      destination: [pythonNode],
      timeoutMs: 10_000,
    });
    // The wire differs here: 5.2 joins the ids; 5.3+ formats the set it revoked (its repr), and
    // 5.6 also stores REVOKED for each id in the result backend (with rpc:// there is no request
    // to reply to, so it only logs a warning). Celeriac's own workers answer as 5.2 does.
    const text = peerIsAtLeast(5, 3) ? `tasks {'${id}'} flagged as revoked` : `tasks ${id} flagged as revoked`;
    expect(reply).to.deep.equal({ [pythonNode]: { ok: text } });
    if (peerIsAtLeast(5, 6))
      await eventually(
        async () => (worker!.output.includes(`Failed to mark task ${id} as revoked in backend`) ? true : undefined),
        5_000,
      );
  });
});
