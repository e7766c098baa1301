import { expect } from 'chai';
import { ConfigurationError } from '@celeriac/core';
import { TaskState } from '@celeriac/protocol';
import type { Job } from '../job.js';
import type { TaskExecutor } from '../execution/task-executor.js';
import { TaskRegistry } from '../task-registry.js';
import { compileWorkerOptions } from '../worker-options.js';
import type { TaskOutcome } from '../execution/task-outcome.js';
import { TimeLimitExecutor } from '../execution/time-limit-executor.js';
import {
  SoftTimeLimitExceeded,
  TimeLimitExceeded,
  compileTimeLimits,
  effectiveLimits,
  isHardTimeLimit,
} from '../execution/time-limits.js';
import { fakeJob } from './job-fixture.js';

const NONE = { softTimeLimitMs: null, timeLimitMs: null };
const SUCCESS: TaskOutcome = { state: TaskState.SUCCESS, result: 'done' };

/** An inner executor that records the signals it got and ends when the test says so. */
class FakePool implements TaskExecutor {
  signal: AbortSignal | null = null;
  kill: AbortSignal | null = null;
  finish: (outcome: TaskOutcome) => void = () => undefined;

  execute(_job: Job, signal: AbortSignal, kill?: AbortSignal): Promise<TaskOutcome> {
    this.signal = signal;
    this.kill = kill ?? null;
    return new Promise((resolve) => (this.finish = resolve));
  }
}

function aborted(signal: AbortSignal | null): Promise<unknown> {
  if (!signal) throw new Error('the pool was not called');
  if (signal.aborted) return Promise.resolve(signal.reason);
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(signal.reason), { once: true }));
}

describe('time limits', () => {
  describe('effectiveLimits', () => {
    it("takes the message's [hard, soft] seconds over the task's and the worker's", () => {
      const limits = effectiveLimits(
        { hard: 2, soft: 1.5 },
        { softTimeLimitMs: 10, timeLimitMs: 20 },
        { softTimeLimitMs: 30, timeLimitMs: 40 },
      );
      expect(limits).to.deep.equal({ soft: { ms: 1500, seconds: 1.5 }, hard: { ms: 2000, seconds: 2 } });
    });

    it("takes the task's over the worker's, limit by limit", () => {
      expect(
        effectiveLimits(
          { hard: null, soft: null },
          { softTimeLimitMs: 100, timeLimitMs: null },
          { softTimeLimitMs: 300, timeLimitMs: 400 },
        ),
      ).to.deep.equal({
        soft: { ms: 100, seconds: 0.1 },
        hard: { ms: 400, seconds: 0.4 },
      });
    });

    it('lets a zero in the message fall through, as Celery does', () => {
      expect(effectiveLimits({ hard: 0, soft: 0 }, NONE, { softTimeLimitMs: null, timeLimitMs: 500 })).to.deep.equal({
        soft: null,
        hard: { ms: 500, seconds: 0.5 },
      });
    });

    it('ignores a limit too long for a timer (it would fire at once)', () => {
      expect(effectiveLimits({ hard: 1e9, soft: null }, NONE, NONE).hard).to.equal(null);
    });
  });

  describe('compileTimeLimits', () => {
    it('keeps positive milliseconds and reads a missing limit as null', () => {
      expect(compileTimeLimits('task t', { softTimeLimitMs: 250 })).to.deep.equal({
        softTimeLimitMs: 250,
        timeLimitMs: null,
      });
    });

    for (const bad of [0, -5, Number.NaN, Number.POSITIVE_INFINITY, '100']) {
      it(`refuses ${String(bad)} with a ConfigurationError naming the owner`, () => {
        expect(() => compileTimeLimits('task t', { timeLimitMs: bad as number })).to.throw(
          ConfigurationError,
          'task t: timeLimitMs',
        );
      });
    }
  });

  describe('TimeLimitExecutor', () => {
    it('hands the signal straight through when no limit applies', async () => {
      const pool = new FakePool();
      const outer = new AbortController();
      const running = new TimeLimitExecutor(pool, NONE, false).execute(fakeJob().job, outer.signal);
      expect(pool.signal).to.equal(outer.signal);
      pool.finish(SUCCESS);
      expect(await running).to.equal(SUCCESS);
    });

    it('soft: aborts the handler signal with SoftTimeLimitExceeded, leaves kill alone, and waits for the outcome', async () => {
      const pool = new FakePool();
      const running = new TimeLimitExecutor(pool, NONE, false).execute(
        fakeJob({}, { softTimeLimitMs: 20 }).job,
        new AbortController().signal,
      );
      const reason = await aborted(pool.signal);
      expect(reason)
        .to.be.instanceOf(SoftTimeLimitExceeded)
        .and.include({ seconds: 0.02, excModule: 'celery.exceptions' });
      expect(pool.kill?.aborted).to.equal(false);
      pool.finish(SUCCESS);
      expect(await running).to.equal(SUCCESS);
    });

    it('hard: resolves with FAILURE TimeLimitExceeded while the handler never ends, and fires kill with the hard-limit reason', async () => {
      const pool = new FakePool();
      const outcome = await new TimeLimitExecutor(pool, { softTimeLimitMs: null, timeLimitMs: 20 }, true).execute(
        fakeJob().job,
        new AbortController().signal,
      );
      expect(outcome.state).to.equal(TaskState.FAILURE);
      expect(outcome.state === TaskState.FAILURE && outcome.result).to.deep.equal({
        exc_type: 'TimeLimitExceeded',
        exc_message: [0.02],
        exc_module: 'celery.exceptions',
      });
      expect(isHardTimeLimit(pool.kill?.reason)).to.equal(true);
      expect(pool.signal?.reason).to.be.instanceOf(TimeLimitExceeded);
    });

    it("uses the message's timelimit header over the task's option", async () => {
      const pool = new FakePool();
      const { job } = fakeJob({ timeLimit: { hard: 0.02, soft: null } }, { timeLimitMs: 600_000 });
      const outcome = await new TimeLimitExecutor(pool, NONE, false).execute(job, new AbortController().signal);
      expect(outcome.state === TaskState.FAILURE && outcome.result.exc_message).to.deep.equal([0.02]);
    });

    it("passes the worker's own abort (shutdown) to both the handler signal and kill", async () => {
      const pool = new FakePool();
      const outer = new AbortController();
      const running = new TimeLimitExecutor(pool, { softTimeLimitMs: 60_000, timeLimitMs: 60_000 }, false).execute(
        fakeJob().job,
        outer.signal,
      );
      const shutdown = new Error('worker shutdown timeout');
      outer.abort(shutdown);
      expect([await aborted(pool.signal), await aborted(pool.kill)]).to.deep.equal([shutdown, shutdown]);
      pool.finish(SUCCESS);
      expect(await running).to.equal(SUCCESS);
    });
  });
});

describe('TaskRegistry time limits', () => {
  it('keeps per-task soft and hard limits in milliseconds', () => {
    const registry = new TaskRegistry().register('tasks.slow', () => null, { softTimeLimitMs: 500, timeLimitMs: 1500 });
    expect(registry.get('tasks.slow')?.options).to.include({ softTimeLimitMs: 500, timeLimitMs: 1500 });
  });

  it('refuses a limit that is not a positive number of milliseconds', () => {
    expect(() => new TaskRegistry().register('tasks.slow', () => null, { timeLimitMs: -1 })).to.throw(
      ConfigurationError,
      'task tasks.slow: timeLimitMs',
    );
  });
});

describe('worker-wide time limits', () => {
  it('compile into options.timeLimits, none by default', () => {
    const tasks = new TaskRegistry();
    expect(compileWorkerOptions({ tasks }).timeLimits).to.deep.equal({ softTimeLimitMs: null, timeLimitMs: null });
    expect(compileWorkerOptions({ tasks, softTimeLimitMs: 100, timeLimitMs: 200 }).timeLimits).to.deep.equal({
      softTimeLimitMs: 100,
      timeLimitMs: 200,
    });
  });

  it('refuse a limit that is not a positive number of milliseconds', () => {
    expect(() => compileWorkerOptions({ tasks: new TaskRegistry(), softTimeLimitMs: 0 })).to.throw(
      ConfigurationError,
      'worker: softTimeLimitMs',
    );
  });
});
