import { expect } from 'chai';
import { TaskFailedError, type AsyncResult } from '@celeriac/client';
import { defineTask } from '@celeriac/core';
import { TaskRegistry, type TaskContext } from '@celeriac/worker';
import { eventually } from './support/broker.js';
import { TaskHarness, sleep } from './support/task-harness.js';

const work = defineTask<[label: string], string>('celeriac.test.expiry.work');

async function failureOf(result: AsyncResult<unknown>): Promise<TaskFailedError> {
  const error = await result.get({ timeoutMs: 10_000 }).then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).to.be.instanceOf(TaskFailedError);
  return error as TaskFailedError;
}

describe('expiry', () => {
  let harness: TaskHarness;
  beforeEach(() => (harness = new TaskHarness('expiry')));
  afterEach(() => harness.release());

  it('records a task that expired before its eta REVOKED (TaskRevokedError "expired") without running it', async () => {
    const ran: string[] = [];
    await harness.worker(new TaskRegistry().register(work, (label: string) => (ran.push(label), label)));
    // Through the lanes (no AMQP expiration there): it arrives after 2 s, a second past its expiry.
    const result = await harness.client().send(work, ['late'], { countdown: 2, expires: 1 });
    const error = await failureOf(result);
    expect(error).to.include({ state: 'REVOKED', excType: 'TaskRevokedError', excMessage: 'expired' });
    expect(ran).to.deep.equal([]);
  });

  it('records a task sent with an expiry in the past REVOKED without running it', async () => {
    const ran: string[] = [];
    await harness.worker(new TaskRegistry().register(work, (label: string) => (ran.push(label), label)));
    // AMQP expiration "0": the broker hands it to the idle consumer at once instead of dropping it.
    const result = await harness.client().send(work, ['stale'], { expires: new Date(Date.now() - 60_000) });
    expect(await failureOf(result)).to.include({
      state: 'REVOKED',
      excType: 'TaskRevokedError',
      excModule: 'celery.exceptions',
      excMessage: 'expired',
    });
    expect(ran).to.deep.equal([]);
  });

  it('checks again right before running: a task that expires while waiting for a slot is not run', async () => {
    const ran: string[] = [];
    let release!: () => void;
    const busy = new Promise<void>((resolve) => (release = resolve));
    const tasks = new TaskRegistry().register(work, async (label: string, ctx: TaskContext) => {
      ran.push(label);
      if (label === 'blocker') await busy;
      return ctx.id;
    });
    const worker = await harness.worker(tasks, { concurrency: 1 });
    const client = harness.client();
    const blocker = await client.send(work, ['blocker']);
    await eventually(() => (ran.length === 1 ? true : undefined));
    const waiting = await client.send(work, ['waiting'], { expires: 1.5 });
    // Prefetched and admitted (not expired yet), then stuck behind the blocker until it expires.
    await eventually(() => (worker.activeCount === 2 ? true : undefined));
    await sleep(1_700);
    release();
    expect(await blocker.get({ timeoutMs: 10_000 })).to.equal(blocker.id);
    expect(await failureOf(waiting)).to.include({ state: 'REVOKED', excMessage: 'expired' });
    expect(ran).to.deep.equal(['blocker']);
  });

  it('runs a task whose expiry is still ahead', async () => {
    await harness.worker(new TaskRegistry().register(work, (label: string) => label));
    expect(await (await harness.client().send(work, ['fresh'], { expires: 60 })).get({ timeoutMs: 10_000 })).to.equal(
      'fresh',
    );
  });
});
