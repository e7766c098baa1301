/**
 * The real Python Celery peer for interop tests: a worker (test/python/run_worker.sh) and a
 * one-shot client (test/python/send_task.py). `npm test` runs the interop files once per peer:
 * CELERIAC_TEST_PYTHON names the interpreter, /usr/bin/python3 (Debian's Celery 5.2.6, the
 * default) or .venv-celery/bin/python (PyPI's 5.6). Never the `python3` on PATH, which has no
 * celery.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseJson, stringifyJson } from '@celeriac/protocol';
import { BROKER_URL } from './broker.js';

export const PYTHON = process.env.CELERIAC_TEST_PYTHON ?? '/usr/bin/python3';
/** test/dist/support/python-peer.js → test/python */
export const PEER_DIR = fileURLToPath(new URL('../../python/', import.meta.url));
/** run_worker.sh reads CELERIAC_TEST_PYTHON too, so the worker runs the same interpreter. */
export const PEER_ENV = {
  ...process.env,
  CELERIAC_TEST_BROKER_URL: BROKER_URL,
  CELERIAC_TEST_PYTHON: PYTHON,
  PYTHONDONTWRITEBYTECODE: '1',
};
const OUTPUT_TAIL_CHARS = 4000;

/** Every peer process still running; killed (whole process group) if the test process exits. */
const live = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of live) killGroup(child, 'SIGKILL');
});

/**
 * Fails, never skips, when the peer cannot run: CI installs celery, so its absence is a broken
 * environment that must be visible.
 */
export async function assertPythonCelery(): Promise<string> {
  const run = await runProcess(PYTHON, ['-c', 'import celery, kombu, sys; sys.stdout.write(celery.__version__)']).catch(
    (error: Error) => ({ code: -1, stdout: '', stderr: error.message }),
  );
  if (run.code === 0) return run.stdout.trim();
  throw new Error(
    `${PYTHON} cannot import celery, which the interop tests need: ${tail(run.stderr, 500)}\n${INSTALL_HINT}`,
  );
}

const INSTALL_HINT =
  "Install Debian's with `apt-get install -y python3-celery`; `npm test` makes the PyPI one in .venv-celery.";
let peerVersion: string | undefined;

/**
 * The peer's Celery release as major.minor ('5.2', '5.6'), for the few places where the wire
 * legitimately differs between releases. Read once, synchronously, so a `describe` can branch.
 */
export function peerCeleryVersion(): string {
  peerVersion ??= execFileSync(
    PYTHON,
    ['-c', 'import celery, sys; sys.stdout.write(".".join(celery.__version__.split(".")[:2]))'],
    { encoding: 'utf8', env: PEER_ENV },
  );
  return peerVersion;
}

/** True when the peer is Celery `major.minor` or newer. */
export function peerIsAtLeast(major: number, minor: number): boolean {
  const [peerMajor = 0, peerMinor = 0] = peerCeleryVersion().split('.').map(Number);
  return peerMajor > major || (peerMajor === major && peerMinor >= minor);
}

// ---------------------------------------------------------------------------------------------
// Python client (send_task.py)

export interface PythonSend {
  name: string;
  queue: string;
  args?: readonly unknown[];
  kwargs?: Record<string, unknown>;
  headers?: Record<string, unknown>;
  countdown?: number;
  expires?: number;
  /** Celery's `time_limit` / `soft_time_limit` in seconds (the `timelimit` header). */
  timeLimit?: number;
  softTimeLimit?: number;
  /** Seconds Python's `AsyncResult.get()` waits. @default 20 */
  timeoutS?: number;
  /** Extra environment, e.g. another broker URL or celeryconfig.py's CELERIAC_PEER_QUEUE_TYPE. */
  env?: Readonly<Record<string, string>>;
}

/** The JSON line send_task.py prints, parsed without losing big integers. */
export interface PythonSendOutcome {
  status: 'SUCCESS' | 'FAILURE' | 'TIMEOUT' | 'ERROR';
  task_id?: string;
  result?: unknown;
  exc_type?: string;
  exc_module?: string;
  exc_message?: string;
  traceback?: string | null;
  reply_to: string | null;
  /** The line exactly as Python printed it (json.dumps), to check number spelling. */
  line: string;
}

/** Runs Python's `app.send_task(...)` + `AsyncResult.get()` once and returns its outcome. */
export async function sendFromPython(send: PythonSend): Promise<PythonSendOutcome> {
  const run = await runProcess(PYTHON, [`${PEER_DIR}send_task.py`, ...sendTaskArgs(send)], send.env);
  const line = run.stdout.trim().split('\n').pop() ?? '';
  try {
    return { ...(parseJson(line) as Omit<PythonSendOutcome, 'line'>), line };
  } catch {
    throw new Error(`send_task.py printed no result line (exit ${run.code}):\n${tail(run.stdout + run.stderr)}`);
  }
}

function sendTaskArgs(send: PythonSend): string[] {
  const argv = ['--name', send.name, '--queue', send.queue, '--timeout', String(send.timeoutS ?? 20)];
  // stringifyJson, not JSON.stringify: bigint arguments must reach Python as exact integers.
  argv.push('--args', stringifyJson(send.args ?? []), '--kwargs', stringifyJson(send.kwargs ?? {}));
  if (send.headers) argv.push('--headers', stringifyJson(send.headers));
  if (send.countdown !== undefined) argv.push('--countdown', String(send.countdown));
  if (send.expires !== undefined) argv.push('--expires', String(send.expires));
  if (send.timeLimit !== undefined) argv.push('--time-limit', String(send.timeLimit));
  if (send.softTimeLimit !== undefined) argv.push('--soft-time-limit', String(send.softTimeLimit));
  return argv;
}

/** A canvas node as test/python/canvas.py builds it (see its docstring). */
export type PythonCanvas =
  | {
      task: string;
      args?: readonly unknown[];
      kwargs?: Record<string, unknown>;
      queue?: string;
      immutable?: boolean;
      link?: PythonCanvas[];
      link_error?: PythonCanvas[];
    }
  | { chain: PythonCanvas[] }
  | { group: PythonCanvas[] }
  | { chord: { header: PythonCanvas[]; body: PythonCanvas } }
  | { map: PythonMap }
  | { starmap: PythonMap }
  | { chunks: PythonMap & { n: number } };

interface PythonMap {
  task: string;
  items: unknown[];
  queue?: string;
}

export interface PythonCanvasOutcome {
  status: 'SUCCESS' | 'FAILURE' | 'TIMEOUT' | 'SENT' | 'MISSING';
  task_id: string;
  /** result.parent, its parent, ...: a chain's earlier steps, last first. */
  parents: string[];
  result?: unknown;
  exc_type?: string;
  exc_message?: string;
}

/** Builds a canvas with Python's celery.chain/group/chord, applies it and (unless `wait: false`) gets it. */
export async function canvasFromPython(
  canvas: PythonCanvas | { restore_group: string },
  {
    queue,
    timeoutS = 20,
    wait = true,
    save = false,
    env = {},
  }: { queue?: string; timeoutS?: number; wait?: boolean; save?: boolean; env?: Record<string, string> } = {},
): Promise<PythonCanvasOutcome> {
  const spec = stringifyJson(
    'restore_group' in canvas ? { ...canvas, timeout: timeoutS } : { canvas, queue, timeout: timeoutS, wait, save },
  );
  const run = await runProcess(PYTHON, [`${PEER_DIR}canvas.py`, spec], env);
  const line = run.stdout.trim().split('\n').pop() ?? '';
  try {
    return parseJson(line) as PythonCanvasOutcome;
  } catch {
    throw new Error(`canvas.py printed no result line (exit ${run.code}):\n${tail(run.stdout + run.stderr)}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Python's own command line

/** `celery -A interop_tasks <args>` as an operator types it (inspect, control): exit code and output. */
export function celeryCommand(args: readonly string[]): Promise<ProcessRun> {
  return runProcess(PYTHON, ['-m', 'celery', '-A', 'interop_tasks', ...args], { PYTHONPATH: PEER_DIR });
}

// ---------------------------------------------------------------------------------------------
// Python worker (run_worker.sh)

const READY_LINE = /\bready\.\s*$/m;

/**
 * run_worker.sh defaults to `-P threads`. Once a pool thread exists, Celery 5.2's SIGTERM handler
 * only sets a flag, and kombu's hub notices it when its poll times out, up to 10 s later. With the
 * solo pool (one thread) the handler raises WorkerShutdown right away: the same warm shutdown,
 * without the wait. Celery 5.5+ always only sets the flag; interop_tasks.py's PromptWarmShutdown
 * timer wakes the poll so that it, too, stops within a second.
 */
export const SOLO_POOL: readonly string[] = ['-P', 'solo', '-c', '1'];

export interface WorkerStart {
  /** Extra `celery worker` options. @default SOLO_POOL */
  workerArgs?: readonly string[];
  readyTimeoutMs?: number;
  /** Extra environment for the worker, e.g. celeryconfig.py's CELERIAC_TEST_RESULT_BACKEND. */
  env?: Readonly<Record<string, string>>;
}

/** A running `celery worker` consuming one queue. */
export class PythonWorker {
  #output = '';
  readonly #exited: Promise<void>;

  private constructor(private readonly child: ChildProcess) {
    live.add(child);
    const append = (chunk: Buffer) => (this.#output = tail(this.#output + chunk.toString('utf8'), 64_000));
    child.stdout?.on('data', append);
    child.stderr?.on('data', append);
    this.#exited = new Promise((resolve) => {
      const gone = () => (live.delete(child), resolve());
      child.once('exit', gone);
      child.once('error', (error) => (append(Buffer.from(`\n${error.message}\n`)), gone()));
    });
  }

  /**
   * Starts the worker and resolves once Celery logs its `ready.` line. The default solo pool
   * makes SIGTERM take effect at once (see SOLO_POOL).
   */
  static async start(
    queue: string,
    { workerArgs = SOLO_POOL, readyTimeoutMs = 30_000, env = {} }: WorkerStart = {},
  ): Promise<PythonWorker> {
    // detached: its own process group, so stop() reaches celery's children too.
    const child = spawn(`${PEER_DIR}run_worker.sh`, [queue, ...workerArgs], {
      env: { ...PEER_ENV, ...env },
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const worker = new PythonWorker(child);
    try {
      await worker.#waitReady(readyTimeoutMs);
      return worker;
    } catch (error) {
      await worker.stop();
      throw error;
    }
  }

  /** Everything the worker logged so far (the last 64 kB), for failure messages. */
  get output(): string {
    return this.#output;
  }

  /** Rejects (with the log) if the process ends first: race a result against it to fail fast after a crash. */
  async crash(): Promise<never> {
    await this.#exited;
    throw new Error(`the Python worker exited:\n${tail(this.#output)}`);
  }

  /** Warm shutdown (SIGTERM to the process group); SIGKILL if it is still alive after `graceMs`. */
  async stop(graceMs = 10_000): Promise<void> {
    if (!live.has(this.child)) return;
    killGroup(this.child, 'SIGTERM');
    if (await settlesWithin(this.#exited, graceMs)) return;
    killGroup(this.child, 'SIGKILL');
    await this.#exited;
  }

  async #waitReady(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!READY_LINE.test(this.#output)) {
      if (!live.has(this.child))
        throw new Error(`the Python worker exited before it was ready:\n${tail(this.#output)}`);
      if (Date.now() > deadline)
        throw new Error(`the Python worker was not ready within ${timeoutMs} ms:\n${tail(this.#output)}`);
      await sleep(50);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// process plumbing

export interface ProcessRun {
  code: number;
  stdout: string;
  stderr: string;
}

function runProcess(command: string, argv: string[], env: Readonly<Record<string, string>> = {}): Promise<ProcessRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, argv, {
      env: { ...PEER_ENV, ...env },
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    live.add(child);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr = tail(stderr + chunk.toString('utf8'), 64_000)));
    child.once('error', (error) => (live.delete(child), reject(error)));
    child.once('close', (code) => (live.delete(child), resolve({ code: code ?? -1, stdout, stderr })));
  });
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

async function settlesWithin(promise: Promise<void>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  const settled = await Promise.race([promise.then(() => true), timeout]);
  clearTimeout(timer);
  return settled;
}

function tail(text: string, max = OUTPUT_TAIL_CHARS): string {
  return text.length > max ? text.slice(-max) : text;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
