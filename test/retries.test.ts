import { expect } from 'chai';
import { TaskFailedError, type AsyncResult } from '@celeriac/client';
import { defineTask } from '@celeriac/core';
import { TaskRegistry, type TaskContext } from '@celeriac/worker';
import { findInLanes } from './support/delay-lanes.js';
import { eventually } from './support/broker.js';
import { TaskHarness } from './support/task-harness.js';

const flaky = defineTask<[], { retries: number }>('celeriac.test.retries.flaky');

class ServiceBusy extends Error {
  override name = 'ServiceBusy';
}

interface Run {
  id: string;
  retries: number;
  retriesHeader: unknown;
  parentId: string | null;
}

function record(runs: Run[], ctx: TaskContext): void {
  runs.push({ id: ctx.id, retries: ctx.retries, retriesHeader: ctx.headers.retries, parentId: ctx.parentId });
}

/** Every distinct state the client saw, in order, while waiting for the outcome. */
async function statesUntilReady(result: AsyncResult<unknown>): Promise<{ states: string[]; outcome: unknown }> {
  const states: string[] = [];
  let done = false;
  const outcome = result
    .get({ timeoutMs: 20_000 })
    .then(
      (value) => value,
      (error: unknown) => error,
    )
    .finally(() => (done = true));
  const look = async () => {
    const state = await result.state();
    if (states.at(-1) !== state) states.push(state);
  };
  while (!done) {
    await look();
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  await look();
  return { states, outcome: await outcome };
}

describe('retries', () => {
  let harness: TaskHarness;
  beforeEach(() => (harness = new TaskHarness('retries')));
  afterEach(() => harness.release());

  it('ctx.retry with a countdown republishes the same task id through the lanes, with retries + 1, and shows RETRY', async () => {
    const runs: Run[] = [];
    const tasks = new TaskRegistry().register(flaky, (ctx: TaskContext) => {
      record(runs, ctx);
      if (ctx.retries === 0) ctx.retry({ countdownMs: 1_500, error: new ServiceBusy('try later') });
      return { retries: ctx.retries };
    });
    const worker = await harness.worker(tasks);
    const result = await harness.client().send(flaky, []);
    await eventually(async () => ((await result.state()) === 'RETRY' ? true : undefined));
    const waiting = await eventually(async () => {
      const found = await findInLanes(harness.queue);
      return found.length > 0 ? found : undefined;
    });
    expect(waiting[0]?.headers.id).to.equal(result.id);
    expect(worker.activeCount, 'the retry waits in the lanes, not in the worker').to.equal(0);
    expect(await result.get({ timeoutMs: 10_000 })).to.deep.equal({ retries: 1 });
    expect(runs.map((run) => run.id)).to.deep.equal([result.id, result.id]);
    expect(runs.map((run) => run.retriesHeader)).to.deep.equal([0, 1]);
    expect(runs[1]?.parentId, 'Celery makes the task its own parent on retry').to.equal(result.id);
  });

  it('autoRetryFor retries until maxRetries, then FAILs with the last error; RETRY is visible in between', async () => {
    const runs: Run[] = [];
    const tasks = new TaskRegistry().register(
      flaky,
      (ctx: TaskContext) => {
        record(runs, ctx);
        throw new ServiceBusy(`busy on try ${ctx.retries + 1}`);
      },
      { autoRetryFor: [ServiceBusy], maxRetries: 2, retryBackoff: false, defaultRetryDelayMs: 600 },
    );
    await harness.worker(tasks);
    const result = await harness.client().send(flaky, []);
    const { states, outcome } = await statesUntilReady(result);
    expect(outcome).to.be.instanceOf(TaskFailedError);
    expect(outcome).to.include({ state: 'FAILURE', excType: 'ServiceBusy', excMessage: 'busy on try 3' });
    expect(states).to.include('RETRY');
    expect(states.at(-1)).to.equal('FAILURE');
    expect(runs.map((run) => [run.id, run.retries])).to.deep.equal([
      [result.id, 0],
      [result.id, 1],
      [result.id, 2],
    ]);
  });

  it('does not retry errors that autoRetryFor does not name (a predicate here)', async () => {
    const runs: Run[] = [];
    const tasks = new TaskRegistry().register(
      flaky,
      (ctx: TaskContext) => {
        record(runs, ctx);
        throw new TypeError('a bug, not an outage');
      },
      { autoRetryFor: (error) => error instanceof ServiceBusy, retryBackoffMaxMs: 100 },
    );
    await harness.worker(tasks);
    const error = await (await harness.client().send(flaky, [])).get({ timeoutMs: 10_000 }).catch((e: unknown) => e);
    expect(error).to.be.instanceOf(TaskFailedError).and.include({ excType: 'TypeError' });
    expect(runs).to.have.length(1);
  });

  it('retries with the default full-jitter back-off and reaches SUCCESS', async () => {
    const runs: Run[] = [];
    const tasks = new TaskRegistry().register(
      flaky,
      (ctx: TaskContext) => {
        record(runs, ctx);
        if (ctx.retries < 2) throw new ServiceBusy('not yet');
        return { retries: ctx.retries };
      },
      { autoRetryFor: [ServiceBusy], retryBackoffMaxMs: 400 },
    );
    await harness.worker(tasks);
    expect(await (await harness.client().send(flaky, [])).get({ timeoutMs: 10_000 })).to.deep.equal({ retries: 2 });
    expect(runs.map((run) => run.retries)).to.deep.equal([0, 1, 2]);
  });
});
