/**
 * Soft and hard time limits on a Celeriac worker over the real broker: per task, per worker, per
 * message (TS client's `timeLimit`). A Python client's `send_task(..., time_limit=...)` is in
 * interop-time-limits.test.ts, which runs against both Celery peers.
 */
import { expect } from 'chai';
import { TaskFailedError } from '@celeriac/client';
import {
  SoftTimeLimitExceeded,
  TaskRegistry,
  type Worker,
  type TaskContext,
  type TaskOptions,
  type WorkerOptions,
} from '@celeriac/worker';
import { TaskHarness } from './support/task-harness.js';

const TASK = 'celeriac.test.limits.task';
const QUICK = 'celeriac.test.limits.quick';

/** Never settles: only a hard limit ends it. */
const hang = () => new Promise<never>(() => undefined);

function abortedWith(signal: AbortSignal): Promise<unknown> {
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(signal.reason), { once: true }));
}

/** The task harness with a worker built around one handler under test (plus a quick task). */
class Harness extends TaskHarness {
  constructor() {
    super('limits');
  }

  limitedWorker(
    handler: (ctx: TaskContext) => unknown,
    taskOptions: TaskOptions = {},
    options: Partial<WorkerOptions> = {},
  ): Promise<Worker> {
    const tasks = new TaskRegistry().register(TASK, handler, taskOptions).register(QUICK, () => 'quick');
    return super.worker(tasks, options);
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

describe('time limits', function () {
  this.timeout(30_000);
  let harness: Harness;
  beforeEach(() => (harness = new Harness()));
  afterEach(() => harness.release());

  it('soft: aborts ctx.signal with SoftTimeLimitExceeded, and a handler that catches it returns a value', async () => {
    await harness.limitedWorker(
      async (ctx) => {
        await abortedWith(ctx.signal);
        try {
          ctx.signal.throwIfAborted();
          return 'not aborted';
        } catch (error) {
          return error instanceof SoftTimeLimitExceeded ? 'cleaned up' : `other: ${String(error)}`;
        }
      },
      { softTimeLimitMs: 200 },
    );
    const result = await harness.sharedClient.sendTask(TASK);
    expect(await result.get({ timeoutMs: 10_000 })).to.equal('cleaned up');
  });

  it('soft, not caught: the task FAILs with celery.exceptions.SoftTimeLimitExceeded', async () => {
    await harness.limitedWorker(
      async (ctx) => {
        await abortedWith(ctx.signal);
        ctx.signal.throwIfAborted();
      },
      { softTimeLimitMs: 200 },
    );
    const error = await failureOf((await harness.sharedClient.sendTask(TASK)).get({ timeoutMs: 10_000 }));
    expect([error.state, error.excType, error.excModule]).to.deep.equal([
      'FAILURE',
      'SoftTimeLimitExceeded',
      'celery.exceptions',
    ]);
  });

  it('hard: a handler that never returns FAILs with TimeLimitExceeded and its slot is freed (concurrency 1)', async () => {
    await harness.limitedWorker(hang, { timeLimitMs: 300 }, { concurrency: 1, prefetchMultiplier: 1 });
    const hung = await harness.sharedClient.sendTask(TASK);
    const next = await harness.sharedClient.sendTask(QUICK);
    const error = await failureOf(hung.get({ timeoutMs: 10_000 }));
    expect([error.state, error.excType, error.excModule, error.excMessage]).to.deep.equal([
      'FAILURE',
      'TimeLimitExceeded',
      'celery.exceptions',
      '0.3',
    ]);
    expect(await next.get({ timeoutMs: 10_000 })).to.equal('quick');
  });

  it('applies the worker-wide limit to a task that has none', async () => {
    await harness.limitedWorker(hang, {}, { timeLimitMs: 300 });
    const error = await failureOf((await harness.sharedClient.sendTask(TASK)).get({ timeoutMs: 10_000 }));
    expect(error.excType).to.equal('TimeLimitExceeded');
  });

  it("lets the message's timelimit (client timeLimit) win over the task's", async () => {
    await harness.limitedWorker(hang, { timeLimitMs: 600_000 });
    const result = await harness.sharedClient.sendTask(TASK, [], {}, { timeLimit: { hardMs: 250 } });
    const error = await failureOf(result.get({ timeoutMs: 10_000 }));
    expect([error.excType, error.excMessage]).to.deep.equal(['TimeLimitExceeded', '0.25']);
  });
});
