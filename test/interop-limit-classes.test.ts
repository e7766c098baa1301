/**
 * Issue 11, item 6c: a time limit on a Celeriac worker reaches a Python caller as the class a
 * Python worker would raise: `get()` raises celery.exceptions.SoftTimeLimitExceeded for the soft
 * limit and celery.exceptions.TimeLimitExceeded for the hard one (the very classes, checked by
 * identity, not a synthesized look-alike). Runs once per peer (CELERIAC_TEST_PYTHON).
 */
import { expect } from 'chai';
import { setTimeout as sleep } from 'node:timers/promises';
import { TaskRegistry, type TaskContext } from '@celeriac/worker';
import { deleteQueues } from './support/broker.js';
import { TaskHarness } from './support/task-harness.js';
import { callFromPython, type PythonCallOutcome } from './support/python-user.js';

const CHECKS = 'celeriac.test.limits.checks-signal';
const AWAITS = 'celeriac.test.limits.awaits-with-signal';
const HANGS = 'celeriac.test.limits.hangs';

/** Waits for the soft limit, then throws its reason as a handler that checks ctx.signal does. */
async function checksSignal(ctx: TaskContext): Promise<never> {
  await new Promise((resolve) => ctx.signal.addEventListener('abort', resolve, { once: true }));
  ctx.signal.throwIfAborted();
  throw new Error('unreachable: the signal was aborted');
}

describe('interop: time limits reach a Python caller as Celery’s own exception classes', function () {
  this.timeout(60_000);
  const harness = new TaskHarness('interop-limit-classes');
  const replyQueues: string[] = [];

  before(async () => {
    const tasks = new TaskRegistry()
      .register(CHECKS, checksSignal)
      // node:timers/promises rejects with an AbortError whose cause is the soft limit.
      .register(AWAITS, (ctx: TaskContext) => sleep(30_000, 'slept', { signal: ctx.signal }))
      .register(HANGS, () => new Promise<never>(() => undefined));
    await harness.worker(tasks);
  });
  after(async () => {
    await harness.release();
    await deleteQueues(...replyQueues);
  });

  async function failure(
    name: string,
    limits: { softTimeLimit?: number; timeLimit?: number },
  ): Promise<PythonCallOutcome> {
    const outcome = await callFromPython({ name, queue: harness.queue, ...limits });
    replyQueues.push(outcome.reply_to);
    expect(outcome.status, outcome.line).to.equal('FAILURE');
    return outcome;
  }

  it('soft limit, handler rethrows from ctx.signal: celery.exceptions.SoftTimeLimitExceeded', async () => {
    const outcome = await failure(CHECKS, { softTimeLimit: 1 });
    expect(outcome.exc_class, outcome.line).to.equal('celery.exceptions.SoftTimeLimitExceeded');
  });

  it('soft limit, handler awaiting an API given ctx.signal (AbortError): still SoftTimeLimitExceeded', async () => {
    const outcome = await failure(AWAITS, { softTimeLimit: 1 });
    expect(outcome.exc_class, outcome.line).to.equal('celery.exceptions.SoftTimeLimitExceeded');
  });

  it('hard limit: celery.exceptions.TimeLimitExceeded', async () => {
    const outcome = await failure(HANGS, { timeLimit: 1 });
    expect(outcome.exc_class, outcome.line).to.equal('celery.exceptions.TimeLimitExceeded');
  });
});
