/**
 * `celeriac` spawned as a user runs it, with its JSON log lines collected, for the tests of
 * behaviour that only a real process shows (crashes, signals, supervision).
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { BEAT_GROUP, BROKER_URL, eventually } from './broker.js';

export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const BIN = 'packages/cli/dist/bin/celeriac.js';
/** The app module of these tests, as compiled (relative to ROOT). */
export const SEMANTICS_APP = 'test/dist/fixtures/semantics-tasks.js';

export interface LogLine {
  level: string;
  message: string;
  [key: string]: unknown;
}

export class SpawnedCli {
  stderr = '';
  stdout = '';
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  private constructor(
    readonly child: ChildProcessWithoutNullStreams,
    readonly args: string[],
  ) {
    child.stdout.on('data', (chunk: Buffer) => (this.stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
    this.exited = once(child, 'exit').then(([code, signal]) => ({
      code: code as number | null,
      signal: signal as NodeJS.Signals | null,
    }));
  }

  /** `env` adds to (and wins over) the defaults, e.g. CELERIAC_BROKER for another broker; `undefined` removes one. */
  static start(args: string[], given: NodeJS.ProcessEnv = {}): SpawnedCli {
    const merged = {
      ...process.env,
      CELERIAC_BROKER: BROKER_URL,
      CELERIAC_BEAT_GROUP: BEAT_GROUP,
      CELERIAC_LOG_FORMAT: 'json',
      ...given,
    };
    const env = Object.fromEntries(Object.entries(merged).filter(([, value]) => value !== undefined));
    return new SpawnedCli(spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env }), args);
  }

  /** Runs a command to its end: its exit code and what it printed. */
  static async run(
    args: string[],
    env: NodeJS.ProcessEnv = {},
  ): Promise<{ code: number | null; stdout: string; stderr: string }> {
    const cli = SpawnedCli.start(args, env);
    const { code } = await cli.exited;
    return { code, stdout: cli.stdout, stderr: cli.stderr };
  }

  /** A worker on these queues running the semantics app, ready to consume. */
  static async worker(queues: string[], ...flags: string[]): Promise<SpawnedCli> {
    const worker = SpawnedCli.start(['worker', '--app', SEMANTICS_APP, '-Q', queues.join(','), ...flags]);
    await worker.waitForLog((line) => line.message === 'worker ready');
    return worker;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  logs(): LogLine[] {
    return this.stderr
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as LogLine);
  }

  waitForLog(predicate: (line: LogLine) => boolean, timeoutMs = 15_000): Promise<LogLine> {
    return eventually(() => this.logs().find(predicate), timeoutMs).catch((error: Error) => {
      error.message += `\n--- celeriac ${this.args.join(' ')} stderr ---\n${this.stderr}`;
      throw error;
    });
  }

  async stop(): Promise<void> {
    if (this.running) this.child.kill('SIGKILL');
    await this.exited;
  }
}
