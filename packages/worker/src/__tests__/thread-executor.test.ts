import { expect } from 'chai';
import { ConfigurationError, type Logger, type LogLevel } from '@celeriac/core';
import { TaskState } from '@celeriac/protocol';
import { ThreadExecutor } from '../execution/threads/thread-executor.js';
import type { TaskOutcome } from '../execution/task-outcome.js';
import { fakeJob } from './job-fixture.js';

const APP = new URL('./fixtures/thread-app.js', import.meta.url).href;

function recordingLogger(lines: Array<{ level: LogLevel; message: string; meta: unknown }>): Logger {
  const logger: Logger = {
    log: (level, message, meta) => void lines.push({ level, message, meta }),
    child: () => logger,
  };
  return logger;
}

function job(name: string, args: unknown[] = [], logger?: Logger) {
  const { job } = fakeJob({ name, args });
  return { ...job, logger: logger ?? job.logger };
}

function failureOf(outcome: TaskOutcome): { type: string; message: unknown } {
  expect(outcome.state).to.equal(TaskState.FAILURE);
  const result = outcome.result as { exc_type: string; exc_message: unknown[] };
  return { type: result.exc_type, message: result.exc_message[0] };
}

describe('ThreadExecutor', function () {
  this.timeout(10_000);
  let pool: ThreadExecutor;
  const never = new AbortController().signal;

  beforeEach(async () => {
    pool = new ThreadExecutor({ appModule: APP, size: 2, hostname: 'test@host', logger: recordingLogger([]) });
    await pool.start();
  });
  afterEach(() => pool.close());

  /** Waits until the pool has its two threads again. */
  async function replaced(): Promise<void> {
    for (let tries = 0; pool.idleThreads < 2; tries++) {
      if (tries > 100) throw new Error('the thread was not replaced');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  async function threadIds(): Promise<number[]> {
    const outcomes = await Promise.all([1, 2, 3, 4].map((n) => pool.execute(job('tasks.x', [n]), never)));
    return outcomes.map((outcome) => (outcome.result as { threadId: number }).threadId);
  }

  it('runs handlers in its threads, spread over all of them', async () => {
    const ids = await threadIds();
    expect(new Set(ids).size).to.equal(2);
    expect(ids).to.not.include(0); // 0 is the main thread
  });

  it('returns a thrown error as a FAILURE with its type', async () => {
    expect(failureOf(await pool.execute(job('tasks.fail'), never))).to.deep.equal({
      type: 'ValueError',
      message: 'bad input',
    });
  });

  it('carries results that only structured clone keeps exact (bigint)', async () => {
    expect((await pool.execute(job('tasks.big'), never)).result).to.equal(2n ** 70n);
  });

  it('fires ctx.signal in the thread, with the reason, when the main thread aborts `signal`', async () => {
    const signal = new AbortController();
    const running = pool.execute(job('tasks.abortable'), signal.signal, never);
    setTimeout(() => signal.abort(Object.assign(new Error('soft'), { name: 'SoftTimeLimitExceeded' })), 50);
    expect((await running).result).to.equal('aborted: SoftTimeLimitExceeded');
  });

  it('terminates a thread on `kill` (a CPU-bound handler cannot listen), fails its task with WorkerLostError and replaces it', async () => {
    const kill = new AbortController();
    const running = pool.execute(job('tasks.forever'), never, kill.signal);
    setTimeout(() => kill.abort(new Error('hard time limit')), 50);
    expect(failureOf(await running).type).to.equal('WorkerLostError');
    await replaced();
    expect(new Set(await threadIds()).size).to.equal(2);
  });

  it('fires ctx.signal for a signal already aborted before the task reached its thread', async () => {
    const soft = AbortSignal.abort(Object.assign(new Error('soft'), { name: 'SoftTimeLimitExceeded' }));
    expect((await pool.execute(job('tasks.abortable'), soft, never)).result).to.equal('aborted: SoftTimeLimitExceeded');
  });

  it('does not run a task killed while it waited for a thread, and keeps the thread it got', async () => {
    const outcome = await pool.execute(job('tasks.forever'), never, AbortSignal.abort(new Error('hard time limit')));
    expect(failureOf(outcome).message).to.equal('hard time limit');
    expect(pool.idleThreads, 'no thread was terminated').to.equal(2);
  });

  it('fails the task of a thread that exits with WorkerLostError, and replaces the thread', async () => {
    const failure = failureOf(await pool.execute(job('tasks.exit'), never));
    expect(failure.type).to.equal('WorkerLostError');
    expect(String(failure.message)).to.match(/code 3/);
    await replaced();
    expect(new Set(await threadIds()).size).to.equal(2);
  });

  it("writes a handler's log lines with the task's logger", async () => {
    const lines: Array<{ level: LogLevel; message: string; meta: unknown }> = [];
    expect((await pool.execute(job('tasks.log', [], recordingLogger(lines)), never)).result).to.equal('logged');
    expect(lines).to.deep.equal([{ level: 'info', message: 'hello from a thread', meta: { n: 1 } }]);
  });

  it('refuses to start when the app module does not load', async () => {
    const broken = new ThreadExecutor({
      appModule: '/nonexistent/app.js',
      size: 1,
      hostname: 'h',
      logger: recordingLogger([]),
    });
    const error = await broken.start().then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).to.be.instanceOf(ConfigurationError);
  });
});
