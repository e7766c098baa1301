import { expect } from 'chai';
import { ConfigurationError, InvalidArgumentError, silentLogger } from '@celeriac/core';
import { MaxRetriesExceededError, Retry, retry, type RetryTarget } from '../retry/retry-decision.js';
import {
  DEFAULT_RETRY_POLICY,
  compileRetryPolicy,
  retryDelayMs,
  shouldAutoRetry,
  type RetryPolicy,
} from '../retry/retry-policy.js';
import { retryMessage } from '../retry/retry-message.js';
import { runHandler } from '../execution/run-handler.js';
import type { TaskOutcome } from '../execution/task-outcome.js';
import type { TaskContext } from '../execution/task-context.js';
import { TaskRegistry, type TaskOptions } from '../task-registry.js';
import { fakeJob } from './job-fixture.js';

class Flaky extends Error {
  override name = 'Flaky';
}

function target(retries: number, policy: Partial<RetryPolicy> = {}): RetryTarget {
  return { id: 't1', name: 'tasks.x', retries, policy: { ...DEFAULT_RETRY_POLICY, ...policy } };
}

/** What retry() threw (it always throws). */
function decision(call: () => never): unknown {
  try {
    call();
  } catch (thrown) {
    return thrown;
  }
  return expect.fail('retry() returned');
}

/** Runs a handler as the executor does, with a context whose retry uses the task's policy. */
async function run(
  handler: (ctx: TaskContext) => unknown,
  options: TaskOptions = {},
  retries = 0,
): Promise<TaskOutcome> {
  const task = new TaskRegistry().register('tasks.x', (ctx: TaskContext) => handler(ctx), options).get('tasks.x')!;
  const policy = { id: 't1', name: 'tasks.x', retries, policy: task.options };
  const context = {
    id: 't1',
    retries,
    logger: silentLogger,
    retry: (o) => retry(policy, o),
  } as Partial<TaskContext> as TaskContext;
  return runHandler(task, [], context);
}

describe('retry policy', () => {
  it('defaults to Celery: 3 retries, no auto-retry, back-off on up to 600 s, a 180 s default delay', () => {
    expect(compileRetryPolicy('t', {})).to.deep.equal({
      maxRetries: 3,
      autoRetryFor: [],
      retryBackoff: true,
      retryBackoffMaxMs: 600_000,
      defaultRetryDelayMs: 180_000,
    });
    expect(compileRetryPolicy('t', { maxRetries: null, retryBackoff: undefined }).maxRetries).to.equal(null);
  });

  it('refuses settings that cannot work, naming the task', () => {
    const bad: Array<Partial<Record<keyof RetryPolicy, unknown>>> = [
      { maxRetries: -1 },
      { maxRetries: 1.5 },
      { autoRetryFor: [1] },
      { autoRetryFor: 'Error' },
      { retryBackoff: 2 },
      { retryBackoffMaxMs: -1 },
      { defaultRetryDelayMs: Number.NaN },
    ];
    for (const options of bad) {
      expect(() => compileRetryPolicy('tasks.bad', options as Partial<RetryPolicy>), JSON.stringify(options)).to.throw(
        ConfigurationError,
        /tasks\.bad/,
      );
    }
  });

  it('matches autoRetryFor by class (subclasses too) or by predicate', () => {
    expect(shouldAutoRetry({ autoRetryFor: [Flaky] }, new Flaky('x'))).to.equal(true);
    expect(shouldAutoRetry({ autoRetryFor: [Error] }, new Flaky('x'))).to.equal(true);
    expect(shouldAutoRetry({ autoRetryFor: [Flaky] }, new TypeError('x'))).to.equal(false);
    expect(shouldAutoRetry({ autoRetryFor: (e) => (e as Error).message === 'busy' }, new Error('busy'))).to.equal(true);
    expect(shouldAutoRetry({ autoRetryFor: [] }, new Flaky('x'))).to.equal(false);
  });

  it('waits the countdown if given, else a full-jitter back-off within min(max, 1 s × 2^retries), else the default delay', () => {
    const policy = { ...DEFAULT_RETRY_POLICY, retryBackoffMaxMs: 5000 };
    expect(retryDelayMs(policy, 4, 250)).to.equal(250);
    for (let i = 0; i < 50; i++) {
      expect(retryDelayMs(policy, 1)).to.be.within(0, 2000);
      expect(retryDelayMs(policy, 10)).to.be.within(0, 5000);
    }
    expect(retryDelayMs({ ...policy, retryBackoff: false }, 3)).to.equal(180_000);
  });
});

describe('retry()', () => {
  it('throws a Retry carrying the delay, queue and error while tries are left', () => {
    const error = new Flaky('db busy');
    const signal = decision(() => retry(target(2), { countdownMs: 1500, error, queue: 'other' }));
    expect(signal).to.be.instanceOf(Retry).and.include({ delayMs: 1500, queue: 'other', error });
    expect((signal as Retry).message).to.equal("Retry in 1.5s: Flaky('db busy')");
  });

  it('throws the given error once retries + 1 exceeds maxRetries (the last try failed)', () => {
    const error = new Flaky('still busy');
    expect(decision(() => retry(target(3), { error }))).to.equal(error);
    expect(decision(() => retry(target(2), { error }))).to.be.instanceOf(Retry);
  });

  it('throws MaxRetriesExceededError when no error was given', () => {
    const thrown = decision(() => retry(target(3), { countdownMs: 0 }));
    expect(thrown).to.be.instanceOf(MaxRetriesExceededError).with.property('excModule', 'celery.exceptions');
  });

  it('retries forever with maxRetries null, and honours a per-call maxRetries', () => {
    expect(decision(() => retry(target(1000, { maxRetries: null }), { countdownMs: 0 }))).to.be.instanceOf(Retry);
    expect(decision(() => retry(target(1), { countdownMs: 0, maxRetries: 1 }))).to.be.instanceOf(
      MaxRetriesExceededError,
    );
    expect(decision(() => retry(target(5), { countdownMs: 0, maxRetries: null }))).to.be.instanceOf(Retry);
  });

  it('refuses bad input with InvalidArgumentError', () => {
    for (const options of [
      { countdownMs: -1 },
      { countdownMs: Number.POSITIVE_INFINITY },
      { maxRetries: -2 },
      { queue: '' },
    ]) {
      expect(
        decision(() => retry(target(0), options)),
        JSON.stringify(options),
      ).to.be.instanceOf(InvalidArgumentError);
    }
  });
});

describe('runHandler with retries', () => {
  function expectRetry(outcome: TaskOutcome) {
    if (outcome.state !== 'RETRY') expect.fail(`expected RETRY, got ${outcome.state}`);
    return outcome;
  }

  it('turns ctx.retry into a RETRY whose result is the error it was about', async () => {
    const outcome = expectRetry(await run((ctx) => ctx.retry({ countdownMs: 10, error: new TypeError('nope') })));
    expect(outcome.result).to.deep.equal({ exc_type: 'TypeError', exc_message: ['nope'], exc_module: 'builtins' });
    expect(outcome.retry.delayMs).to.equal(10);
    expect(outcome.traceback).to.include('TypeError: nope');
  });

  it('stores the Retry itself (celery.exceptions.Retry) when no error was given', async () => {
    const outcome = expectRetry(await run((ctx) => ctx.retry({ countdownMs: 0 })));
    expect(outcome.result).to.deep.equal({
      exc_type: 'Retry',
      exc_message: ['Retry in 0s'],
      exc_module: 'celery.exceptions',
    });
  });

  it('retries an autoRetryFor error with back-off, and fails other errors', async () => {
    const options = { autoRetryFor: [Flaky], retryBackoffMaxMs: 100 };
    const outcome = expectRetry(await run(() => Promise.reject(new Flaky('busy')), options));
    expect(outcome.retry.delayMs).to.be.within(0, 100);
    expect(outcome.error).to.be.instanceOf(Flaky);
    expect((await run(() => Promise.reject(new TypeError('bug')), options)).state).to.equal('FAILURE');
  });

  it('FAILs with the last error once the tries are used up', async () => {
    const outcome = await run(
      () => Promise.reject(new Flaky('busy again')),
      { autoRetryFor: [Flaky], maxRetries: 2 },
      2,
    );
    if (outcome.state !== 'FAILURE') expect.fail(`expected FAILURE, got ${outcome.state}`);
    expect(outcome.result).to.deep.equal({ exc_type: 'Flaky', exc_message: ['busy again'], exc_module: 'celeriac' });
  });
});

describe('retryMessage', () => {
  it('keeps the id and workflow, bumps retries, sets the eta, and makes the task its own parent', () => {
    const expires = new Date('2030-01-01T00:00:00Z');
    const { job } = fakeJob(
      {
        rootId: 'root-1',
        group: 'g-1',
        expires,
        shadow: 'alias',
        timeLimit: { hard: 30, soft: 20 },
        retries: 1,
        headers: { custom: 1 },
      },
      {},
      { priority: 7 },
    );
    const now = new Date('2029-01-01T00:00:00Z');
    const input = retryMessage(job, 2500, now, 'celeriac@here');
    expect(input).to.deep.include({
      id: 'task-1',
      name: 'tasks.x',
      args: [1],
      retries: 2,
      rootId: 'root-1',
      parentId: 'task-1',
      group: 'g-1',
      expires,
      shadow: 'alias',
      replyTo: 'reply-q',
      priority: 7,
      origin: 'celeriac@here',
    });
    expect(input.timeLimit).to.deep.equal({ hard: 30, soft: 20 });
    expect(input.eta).to.deep.equal(new Date('2029-01-01T00:00:02.500Z'));
    expect(input.headers, 'custom headers are dropped, as Celery 5.2 does').to.equal(undefined);
  });

  it('keeps an existing parent, and sends no eta for a zero countdown', () => {
    const { job } = fakeJob({ parentId: 'parent-9' });
    const input = retryMessage(job, 0, new Date(), 'n');
    expect(input).to.include({ parentId: 'parent-9', eta: null });
  });
});
