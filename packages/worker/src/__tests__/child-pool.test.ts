import { expect } from 'chai';
import { ConfigurationError, type Logger, type LogLevel } from '@celeriac/core';
import { TaskState } from '@celeriac/protocol';
import type { ChildKind } from '../execution/children/child-handle.js';
import { ChildPool, type ChildPoolOptions } from '../execution/children/child-pool.js';
import type { ChildRecycledInfo } from '../execution/children/recycling.js';
import type { TaskOutcome } from '../execution/task-outcome.js';
import { fakeJob } from './job-fixture.js';

const APP = new URL('./fixtures/pool-app.js', import.meta.url).href;

interface Where {
  threadId: number;
  pid: number;
}

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

async function until(check: () => boolean, what: string): Promise<void> {
  for (let tries = 0; !check(); tries++) {
    if (tries > 200) throw new Error(`${what}: not within 10 s`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

for (const kind of ['threads', 'processes'] as ChildKind[]) {
  describe(`ChildPool (${kind})`, function () {
    this.timeout(20_000);
    const pools: ChildPool[] = [];
    const never = new AbortController().signal;
    /** A child's identity: its thread id, or its process id. */
    const who = (where: Where) => (kind === 'threads' ? where.threadId : where.pid);

    async function started(options: Partial<ChildPoolOptions> = {}): Promise<ChildPool> {
      const pool = new ChildPool({
        kind,
        appModule: APP,
        size: 2,
        hostname: 'test@host',
        logger: recordingLogger([]),
        ...options,
      });
      pools.push(pool);
      await pool.start();
      return pool;
    }
    afterEach(() => Promise.all(pools.splice(0).map((pool) => pool.close())));

    async function run(pool: ChildPool, name: string, args: unknown[] = []): Promise<TaskOutcome> {
      return pool.execute(job(name, args), never);
    }

    async function children(pool: ChildPool, count = 4): Promise<number[]> {
      const outcomes = await Promise.all(Array.from({ length: count }, (_, n) => run(pool, 'tasks.slow', [n])));
      return outcomes.map((outcome) => who(outcome.result as Where));
    }

    it('runs handlers off the main thread, spread over its children, starting them as tasks need them', async () => {
      const pool = await started();
      expect(pool.childCount, 'one child at start, to check the module loads').to.equal(1);
      const ids = await children(pool);
      expect(new Set(ids).size).to.equal(2);
      expect(pool.childCount, 'never more than its size').to.equal(2);
      if (kind === 'threads')
        expect(ids).to.not.include(0); // 0 is the main thread
      else {
        expect(ids).to.not.include(process.pid);
        expect(pool.pids.sort()).to.deep.equal([...new Set(ids)].sort());
      }
    });

    it('returns a thrown error as a FAILURE with its type', async () => {
      const pool = await started();
      expect(failureOf(await run(pool, 'tasks.fail'))).to.deep.equal({ type: 'ValueError', message: 'bad input' });
    });

    it('carries results that only structured clone keeps exact (bigint)', async () => {
      const pool = await started();
      expect((await run(pool, 'tasks.big')).result).to.equal(2n ** 70n);
    });

    it('fires ctx.signal in the child, with the reason, when `signal` aborts', async () => {
      const pool = await started();
      const signal = new AbortController();
      const running = pool.execute(job('tasks.abortable'), signal.signal, never);
      setTimeout(() => signal.abort(Object.assign(new Error('soft'), { name: 'SoftTimeLimitExceeded' })), 50);
      expect((await running).result).to.equal('aborted: SoftTimeLimitExceeded');
    });

    it('stops a child on `kill` (a CPU-bound handler cannot listen), fails its task with WorkerLostError, and starts another', async () => {
      const pool = await started();
      const kill = new AbortController();
      const running = pool.execute(job('tasks.forever'), never, kill.signal);
      setTimeout(() => kill.abort(new Error('hard time limit')), 50);
      expect(failureOf(await running).type).to.equal('WorkerLostError');
      expect(new Set(await children(pool)).size).to.equal(2);
    });

    it('fires ctx.signal for a signal already aborted before the task reached its child', async () => {
      const pool = await started();
      const soft = AbortSignal.abort(Object.assign(new Error('soft'), { name: 'SoftTimeLimitExceeded' }));
      expect((await pool.execute(job('tasks.abortable'), soft, never)).result).to.equal(
        'aborted: SoftTimeLimitExceeded',
      );
    });

    it('does not run a task killed while it waited for a child, and keeps the child it got', async () => {
      const pool = await started({ size: 1 });
      const outcome = await pool.execute(job('tasks.forever'), never, AbortSignal.abort(new Error('hard time limit')));
      expect(failureOf(outcome).message).to.equal('hard time limit');
      expect(pool.idleCount, 'no child was stopped').to.equal(1);
    });

    it('fails the task of a child that exits with WorkerLostError, and runs the next task in a new child', async () => {
      const pool = await started();
      const failure = failureOf(await run(pool, 'tasks.exit'));
      expect(failure.type).to.equal('WorkerLostError');
      expect(String(failure.message)).to.match(/code 3/);
      expect(new Set(await children(pool)).size).to.equal(2);
    });

    it("writes a handler's log lines with the task's logger", async () => {
      const pool = await started();
      const lines: Array<{ level: LogLevel; message: string; meta: unknown }> = [];
      expect((await pool.execute(job('tasks.log', [], recordingLogger(lines)), never)).result).to.equal('logged');
      expect(lines).to.deep.equal([{ level: 'info', message: 'hello from a child', meta: { n: 1 } }]);
    });

    it('refuses to start when the app module does not load', async () => {
      const error = await started({ appModule: '/nonexistent/app.js', size: 1 }).then(
        () => null,
        (e: unknown) => e,
      );
      expect(error).to.be.instanceOf(ConfigurationError);
    });

    it('replaces a child after maxTasksPerChild tasks, after its task', async () => {
      const recycled: ChildRecycledInfo[] = [];
      const pool = await started({ size: 1, maxTasksPerChild: 2, onRecycled: (info) => recycled.push(info) });
      const ids: number[] = [];
      for (let n = 0; n < 5; n++) ids.push(who((await run(pool, 'tasks.x', [n])).result as Where));
      expect(ids[0]).to.equal(ids[1]);
      expect(ids[2]).to.equal(ids[3]);
      expect(new Set(ids).size).to.equal(3);
      expect(recycled.map(({ reason, tasks }) => ({ reason, tasks }))).to.deep.equal([
        { reason: 'max-tasks-per-child', tasks: 2 },
        { reason: 'max-tasks-per-child', tasks: 2 },
      ]);
    });

    it('replaces a child that holds more than maxMemoryPerChildKb after its task, and keeps one that does not', async () => {
      const recycled: ChildRecycledInfo[] = [];
      // A process's resident memory starts near 50 MB, a thread's own heap near 5 MB: 100 MB is above both.
      const limitKb = 100 * 1024;
      const pool = await started({ size: 1, maxMemoryPerChildKb: limitKb, onRecycled: (info) => recycled.push(info) });
      const steady = await children(pool, 3);
      expect(new Set(steady).size, 'no recycling below the limit').to.equal(1);
      const leaker = who((await run(pool, 'tasks.leak', [150])).result as Where);
      expect(leaker).to.equal(steady[0]);
      const next = who((await run(pool, 'tasks.x', [0])).result as Where);
      expect(next).to.not.equal(leaker);
      expect(recycled).to.have.length(1);
      expect(recycled[0]!.reason).to.equal('max-memory-per-child');
      expect(recycled[0]!.memoryKb).to.be.above(limitKb);
    });

    it('resizes: grows to take more tasks at once, retires idle children beyond a smaller size', async () => {
      const pool = await started({ size: 1 });
      pool.resize(3);
      expect(new Set(await children(pool, 6)).size).to.equal(3);
      pool.resize(1);
      await until(() => pool.childCount === 1, 'idle children retired');
      expect(new Set(await children(pool, 3)).size).to.equal(1);
    });
  });
}
