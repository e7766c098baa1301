/**
 * The `celeriac` binary, spawned as a user would run it, against the real broker: a worker
 * running the test/fixtures/cli-tasks.ts app, `call` from another process, exit codes, signals,
 * and the JSON log lines. Every spawn also gets the test suite's own CELERIAC_TEST_* variables,
 * which must not be mistaken for options.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { BROKER_URL, deleteQueues, drainQueue, eventually, uniqueName } from './support/broker.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = 'packages/cli/dist/bin/celeriac.js';
const APP = 'test/dist/fixtures/cli-tasks.js';
const ENV = {
  ...process.env,
  CELERIAC_TEST_BROKER_URL: BROKER_URL,
  CELERIAC_TEST_MONGODB_URL: 'mongodb://127.0.0.1:1/unused',
};

interface LogLine {
  level: string;
  message: string;
  [key: string]: unknown;
}

/** A spawned `celeriac`, with its output collected as it arrives. */
class CliProcess {
  stdout = '';
  stderr = '';
  readonly exited: Promise<number | null>;

  constructor(
    readonly child: ChildProcessWithoutNullStreams,
    readonly args: string[],
  ) {
    child.stdout.on('data', (chunk: Buffer) => (this.stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
    this.exited = once(child, 'close').then(([code]) => code as number | null);
  }

  static start(args: string[], env: NodeJS.ProcessEnv = {}): CliProcess {
    return new CliProcess(spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: { ...ENV, ...env } }), args);
  }

  /** The stderr lines, parsed as the JSON logs they must be when stderr is not a terminal. */
  logs(): LogLine[] {
    return this.stderr
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as LogLine);
  }

  waitForLog(predicate: (line: LogLine) => boolean): Promise<LogLine> {
    return eventually(() => this.logs().find(predicate), 15_000).catch((error: Error) => {
      error.message += `\n--- celeriac ${this.args.join(' ')} stderr ---\n${this.stderr}`;
      throw error;
    });
  }

  kill(signal: NodeJS.Signals): void {
    this.child.kill(signal);
  }
}

/** Runs a command to completion. */
async function run(
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const cli = CliProcess.start(args, env);
  const code = await cli.exited;
  return { code, stdout: cli.stdout, stderr: cli.stderr };
}

function stderrLines(stderr: string): string[] {
  return stderr.split('\n').filter(Boolean);
}

describe('celeriac CLI (spawned)', function () {
  this.timeout(30_000);
  let queue: string;
  let workers: CliProcess[];

  beforeEach(function () {
    queue = uniqueName('cli');
    workers = [];
  });

  afterEach(async function () {
    for (const worker of workers)
      if (worker.child.exitCode === null && worker.child.signalCode === null) worker.kill('SIGKILL');
    await Promise.all(workers.map((worker) => worker.exited));
    await deleteQueues(queue);
  });

  /** Starts a worker on this test's queue (broker from the environment) and waits until it consumes. */
  async function startWorker(): Promise<CliProcess> {
    const worker = CliProcess.start(['worker', '--app', APP, '-Q', queue, '-c', '2'], { CELERIAC_BROKER: BROKER_URL });
    workers.push(worker);
    await worker.waitForLog((line) => line.message === 'worker ready');
    return worker;
  }

  function call(task: string, ...options: string[]): string[] {
    return ['call', task, '--queue', queue, '--broker', BROKER_URL, ...options];
  }

  it('runs a task for `call --wait`, which prints the task id and then the result as JSON', async function () {
    const worker = await startWorker();
    const { code, stdout, stderr } = await run(call('cli.add', '--args', '[2, 3]', '--wait', '--timeout', '20'));
    expect(code, stderr).to.equal(0);
    const [id, result, ...rest] = stdout.split('\n');
    expect(id).to.match(/^[0-9a-f-]{36}$/);
    expect(JSON.parse(result ?? '')).to.equal(5);
    expect(rest).to.deep.equal(['']);
    const succeeded = await worker.waitForLog((line) => line.message === 'task succeeded');
    expect(succeeded).to.include({ taskId: id, task: 'cli.add', level: 'info' });
  });

  it('exits 1 and prints the remote exception as `Type: message` when the task fails', async function () {
    await startWorker();
    const { code, stdout, stderr } = await run(
      call('cli.fail', '--args', '["bad input"]', '--wait', '--timeout', '20'),
    );
    expect(code).to.equal(1);
    expect(stdout.trim()).to.match(/^[0-9a-f-]{36}$/);
    expect(stderrLines(stderr)).to.deep.equal(['ValueError: bad input']);
  });

  it('exits 2 with one line on stderr for --args that is not JSON, before touching the broker', async function () {
    // Nothing listens on port 1: reaching for the broker would fail differently (and with exit 1).
    const { code, stdout, stderr } = await run([
      'call',
      'cli.add',
      '--args',
      '[1,',
      '--broker',
      'amqp://nobody:secret@127.0.0.1:1//',
    ]);
    expect(code).to.equal(2);
    expect(stdout).to.equal('');
    const lines = stderrLines(stderr);
    expect(lines).to.have.length(1);
    expect(lines[0]).to.match(/^celeriac: --args is not valid JSON.*'celeriac call --help'/);
  });

  it('answers `result <id>` with a one-line error, since rpc:// results only reach the sender', async function () {
    const { code, stderr } = await run(['result', '00000000-0000-4000-8000-000000000000', '--wait']);
    expect(code).to.equal(2);
    expect(stderrLines(stderr)).to.have.length(1);
    expect(stderr).to.match(
      /^celeriac: the rpc:\/\/ result backend delivers a result only to the process that sent the task/,
    );
  });

  it('stops on SIGTERM after the running task finishes, and exits 0', async function () {
    const worker = await startWorker();
    const caller = CliProcess.start(call('cli.sleep', '--args', '[500]', '--wait', '--timeout', '20'));
    const received = await worker.waitForLog((line) => line.message === 'task received');
    worker.kill('SIGTERM');
    expect(await worker.exited, worker.stderr).to.equal(0);
    expect(await caller.exited, caller.stderr).to.equal(0);
    expect(caller.stdout.split('\n')).to.deep.equal([received.taskId, '"slept"', '']);
    const messages = worker.logs().map((line) => line.message);
    expect(messages.indexOf('task succeeded')).to.be.lessThan(messages.indexOf('worker stopped'));
  });

  it('exits at once with 143 on a second SIGTERM, without waiting for the running task', async function () {
    const worker = await startWorker();
    expect((await run(call('cli.sleep', '--args', '[60000]'))).code).to.equal(0);
    await worker.waitForLog((line) => line.message === 'task received');
    worker.kill('SIGTERM');
    await worker.waitForLog((line) => line.message.startsWith('received SIGTERM'));
    worker.kill('SIGTERM');
    expect(await worker.exited, worker.stderr).to.equal(143);
    expect(worker.logs().map((line) => line.message)).to.not.include('task succeeded');
    // Never acknowledged, so the broker puts the task back for another worker.
    const requeued = await eventually(async () => {
      const messages = await drainQueue(queue);
      return messages.length > 0 ? messages : undefined;
    });
    expect(requeued.map((message) => message.properties.headers?.task)).to.deep.equal(['cli.sleep']);
  });

  it('exits 1 with one line when --wait gives up after --timeout', async function () {
    // No worker consumes this queue, so no result can arrive.
    const { code, stdout, stderr } = await run(call('cli.add', '--args', '[1, 2]', '--wait', '--timeout', '0.2'));
    expect(code).to.equal(1);
    expect(stdout.trim()).to.match(/^[0-9a-f-]{36}$/);
    expect(stderrLines(stderr)).to.have.length(1);
    expect(stderr).to.match(/^celeriac: no result for task [0-9a-f-]{36} within 200 ms$/m);
  });

  it('logs JSON lines that carry the task id and never the broker password', async function () {
    const worker = await startWorker();
    const { code, stdout } = await run(call('cli.add', '--args', '[1, 1]', '--wait', '--timeout', '20'));
    expect(code).to.equal(0);
    const id = stdout.split('\n')[0];
    await worker.waitForLog((line) => line.message === 'task succeeded');
    const taskLines = worker.logs().filter((line) => line.taskId === id);
    expect(taskLines.map((line) => line.message)).to.include.members(['task received', 'task succeeded']);
    expect(taskLines.every((line) => typeof line.timestamp === 'string')).to.equal(true);
    const password = new URL(BROKER_URL).password;
    expect(worker.logs().find((line) => line.message === 'worker starting'))
      .to.have.property('broker')
      .that.includes('***');
    expect(worker.stderr).to.not.include(`:${password}@`);
  });
});
