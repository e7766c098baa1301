/**
 * `celeriac worker` processes of the fault cases: the ledger app, on the private node, writing to
 * one ledger file. A fleet keeps N of them running while a case kills them one by one, and
 * remembers which pids it killed, so the counts can tell a crash's duplicates from a bug's.
 */
import { SpawnedCli } from '../../support/spawned-cli.js';
import { faultBroker } from './global-broker.js';

/** The fault suite's app module, as compiled (relative to the repository root). */
export const LEDGER_APP = 'test/dist/faults/fixtures/ledger-tasks.js';
const READY_TIMEOUT_MS = 30_000;

/** A worker on `queue` running the ledger app, ready to consume. */
export async function startLedgerWorker(
  queue: string,
  ledger: string,
  flags: readonly string[] = [],
): Promise<SpawnedCli> {
  const env = { CELERIAC_BROKER: faultBroker().url, CELERIAC_FAULTS_LEDGER: ledger };
  const worker = SpawnedCli.start(['worker', '--app', LEDGER_APP, '-Q', queue, ...flags], env);
  await worker.waitForLog((line) => line.message === 'worker ready', READY_TIMEOUT_MS);
  return worker;
}

/** SIGTERM, as an operator or an orchestrator stops a worker; resolves with how it exited. */
export async function stopGracefully(
  worker: SpawnedCli,
): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (worker.running) worker.child.kill('SIGTERM');
  return worker.exited;
}

/**
 * Warnings and errors a worker logged beyond the ones the case expects (its fault's own): a
 * channel error, a processing bug or a stack trace shows up here even when every count is right.
 */
export function unexpectedLogs(worker: SpawnedCli, expected: readonly string[]): string[] {
  const lines = worker.stderr.split('\n').filter((line) => line.trim());
  const stray = lines.filter((line) => !line.startsWith('{'));
  const problems = worker
    .logs()
    .filter((line) => (line.level === 'warn' || line.level === 'error') && !expected.includes(line.message));
  return [...stray, ...problems.map((line) => `${line.level}: ${line.message}`)];
}

export function pidOf(worker: SpawnedCli): number {
  const { pid } = worker.child;
  if (pid === undefined) throw new Error(`celeriac ${worker.args.join(' ')} has no pid: it did not spawn`);
  return pid;
}

export class WorkerFleet {
  /** Running, oldest first. */
  readonly #workers: SpawnedCli[] = [];
  /** Every worker the fleet started, killed ones included, for their logs. */
  readonly started: SpawnedCli[] = [];
  readonly killedPids: number[] = [];

  constructor(
    private readonly queue: string,
    private readonly ledger: string,
    private readonly flags: readonly string[] = [],
  ) {}

  get size(): number {
    return this.#workers.length;
  }

  async start(count: number): Promise<void> {
    const started = await Promise.all(
      Array.from({ length: count }, () => startLedgerWorker(this.queue, this.ledger, this.flags)),
    );
    this.#workers.push(...started);
    this.started.push(...started);
  }

  /** SIGKILLs the oldest worker, as the OOM killer or a lost host would; resolves once it is gone. */
  async killOldest(): Promise<number> {
    const worker = this.#workers.shift();
    if (!worker) throw new Error('the fleet has no worker to kill');
    const pid = pidOf(worker);
    worker.child.kill('SIGKILL');
    await worker.exited;
    this.killedPids.push(pid);
    return pid;
  }

  /** SIGTERMs every worker and waits for each; their exits, oldest first. */
  async stopAll(): Promise<Array<{ code: number | null; signal: NodeJS.Signals | null }>> {
    const workers = this.#workers.splice(0);
    return Promise.all(workers.map(stopGracefully));
  }

  /** For an `after` hook: whatever is still running goes, at once. */
  async destroy(): Promise<void> {
    await Promise.all(this.#workers.splice(0).map((worker) => worker.stop()));
  }
}
