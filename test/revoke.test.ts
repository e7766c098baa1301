/**
 * Revoke over Celery's pidbox, TS client → Celeriac worker, on the real broker: revoked tasks are
 * not run, `terminate` aborts a running one, and the worker answers control requests as a
 * Celery worker does. Every worker in the process binds its pidbox queue to the shared
 * `celery.pidbox` fanout, so each test has its own node name and requests name it.
 */
import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { TaskFailedError } from '@celeriac/client';
import { TaskRegistry, TaskRevokedError, type Worker, type TaskContext, type WorkerOptions } from '@celeriac/worker';
import { eventually, uniqueName } from './support/broker.js';
import { TaskHarness } from './support/task-harness.js';
import { controlCall, publishRawControl } from './support/pidbox.js';

const SLOW = 'celeriac.test.revoke.slow';
const QUICK = 'celeriac.test.revoke.quick';

/** The task harness with one fixed node name, so control requests can address our worker. */
class Harness extends TaskHarness {
  readonly nodeName = uniqueName('revoke-node');
  readonly calls: string[] = [];
  constructor() {
    super('revoke');
  }

  override worker(tasks: TaskRegistry, options: Partial<WorkerOptions> = {}): Promise<Worker> {
    return super.worker(tasks, { nodeName: this.nodeName, ...options });
  }

  /** Waits until our worker lists the id as revoked (the revoke and the task travel on different queues). */
  async revokedOnWorker(id: string): Promise<void> {
    await eventually(async () => {
      const [reply] = await controlCall({ method: 'revoked', destination: [this.nodeName] });
      const ids = reply?.[this.nodeName];
      return Array.isArray(ids) && ids.includes(id) ? true : undefined;
    });
  }
}

async function failureOf(promise: Promise<unknown>): Promise<TaskFailedError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).to.be.instanceOf(TaskFailedError);
  return error as TaskFailedError;
}

describe('revoke (TS client → Celeriac worker)', function () {
  this.timeout(20_000);
  let harness: Harness;
  beforeEach(() => (harness = new Harness()));
  afterEach(() => harness.release());

  it('discards a task whose id was revoked before it arrived: REVOKED, handler never called', async () => {
    const tasks = new TaskRegistry().register(QUICK, () => harness.calls.push('quick'));
    await harness.worker(tasks);
    const id = randomUUID();
    await harness.sharedClient.revoke(id);
    await harness.revokedOnWorker(id);
    const result = await harness.sharedClient.sendTask(QUICK, [], {}, { taskId: id });
    const error = await failureOf(result.get({ timeoutMs: 10_000 }));
    expect(error.state).to.equal('REVOKED');
    expect([error.excType, error.excMessage, error.excModule]).to.deep.equal([
      'TaskRevokedError',
      'revoked',
      'celery.exceptions',
    ]);
    expect(harness.calls).to.deep.equal([]);
  });

  it('still runs tasks that were not revoked, and revokes several ids at once', async () => {
    const tasks = new TaskRegistry().register(
      QUICK,
      (label: string, _ctx: TaskContext) => (harness.calls.push(label), label),
    );
    await harness.worker(tasks);
    const [a, b] = [randomUUID(), randomUUID()];
    await harness.sharedClient.revoke([a, b]);
    await harness.revokedOnWorker(b);
    const revoked = await harness.sharedClient.sendTask(QUICK, ['a'], {}, { taskId: a });
    const kept = await harness.sharedClient.sendTask(QUICK, ['kept']);
    expect(await kept.get({ timeoutMs: 10_000 })).to.equal('kept');
    expect((await failureOf(revoked.get({ timeoutMs: 10_000 }))).state).to.equal('REVOKED');
    expect(harness.calls).to.deep.equal(['kept']);
  });

  it('with terminate, aborts a running task through ctx.signal and records REVOKED even though it then throws', async () => {
    let started!: () => void;
    const running = new Promise<void>((resolve) => (started = resolve));
    let reason: unknown;
    const tasks = new TaskRegistry().register(SLOW, async (ctx: TaskContext) => {
      started();
      await new Promise((resolve) => ctx.signal.addEventListener('abort', resolve, { once: true }));
      reason = ctx.signal.reason;
      throw new Error('stopped because of the signal');
    });
    await harness.worker(tasks);
    const result = await harness.sharedClient.sendTask(SLOW);
    await running;
    await harness.sharedClient.revoke(result.id, { terminate: true });
    const error = await failureOf(result.get({ timeoutMs: 10_000 }));
    expect([error.state, error.excType, error.excMessage]).to.deep.equal(['REVOKED', 'TaskRevokedError', 'terminated']);
    expect(reason).to.be.instanceOf(TaskRevokedError);
  });

  it('with terminate, frees the slot of a handler that ignores its signal (inline pool)', async () => {
    let started!: () => void;
    const running = new Promise<void>((resolve) => (started = resolve));
    const tasks = new TaskRegistry()
      .register(SLOW, () => (started(), new Promise(() => undefined)))
      .register(QUICK, () => 'ran');
    await harness.worker(tasks, { concurrency: 1 });
    const stuck = await harness.sharedClient.sendTask(SLOW);
    await running;
    await harness.sharedClient.revoke(stuck.id, { terminate: true });
    expect((await failureOf(stuck.get({ timeoutMs: 10_000 }))).state).to.equal('REVOKED');
    expect(await (await harness.sharedClient.sendTask(QUICK)).get({ timeoutMs: 10_000 })).to.equal('ran');
  });

  it('answers ping, revoke and unknown commands with Celery replies, only when addressed', async () => {
    await harness.worker(new TaskRegistry().register(QUICK, () => null));
    const node = harness.nodeName;
    expect(await controlCall({ method: 'ping', destination: [node] })).to.deep.equal([{ [node]: { ok: 'pong' } }]);
    expect(
      await controlCall({
        method: 'revoke',
        arguments: { task_id: 'abc', terminate: false, signal: 'SIGTERM' },
        destination: [node],
      }),
    ).to.deep.equal([{ [node]: { ok: 'tasks abc flagged as revoked' } }]);
    expect(await controlCall({ method: 'no_such_command', destination: [node] })).to.deep.equal([
      { [node]: { error: "KeyError('no_such_command')" } },
    ]);
    const elsewhere = await controlCall({ method: 'ping', destination: [`${node}.other`], timeoutMs: 500 });
    expect(elsewhere.filter((reply) => node in reply)).to.deep.equal([]);
  });

  it('survives malformed control messages and keeps answering', async () => {
    await harness.worker(new TaskRegistry().register(QUICK, () => null));
    await publishRawControl(Buffer.from('{not json'));
    await publishRawControl(Buffer.from('[1, 2]'));
    await publishRawControl(
      Buffer.from(JSON.stringify({ method: 'revoke', arguments: { task_id: 7 }, destination: [harness.nodeName] })),
    );
    await publishRawControl(Buffer.from('\x80\x04K\x01.'), 'application/x-python-serialize');
    const node = harness.nodeName;
    expect(await controlCall({ method: 'ping', destination: [node] })).to.deep.equal([{ [node]: { ok: 'pong' } }]);
  });
});
