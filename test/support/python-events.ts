/**
 * Python Celery's own event readers for interop tests: `celery events --dump` and
 * test/python/event_state.py (app.events.Receiver feeding celery.events.state.State, as Flower
 * does). Both run with the PYTHON the interop suite selects, and are killed on release.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { parseJson } from '@celeriac/protocol';
import { eventually } from './broker.js';
import { PEER_DIR, PEER_ENV, PYTHON } from './python-peer.js';

/** A Python process whose output is collected, started in test/python. */
export class PythonProcess {
  output = '';
  readonly #exited: Promise<void>;

  private constructor(private readonly child: ChildProcess) {
    const append = (chunk: Buffer) => (this.output += chunk.toString('utf8'));
    child.stdout?.on('data', append);
    child.stderr?.on('data', append);
    this.#exited = new Promise((resolve) => child.once('exit', () => resolve()));
  }

  static start(argv: string[]): PythonProcess {
    const child = spawn(PYTHON, argv, { cwd: PEER_DIR, env: PEER_ENV, detached: true, stdio: 'pipe' });
    return new PythonProcess(child);
  }

  /** Waits until the output matches `pattern` (or fails, with the output, after the timeout). */
  async waitFor(pattern: RegExp, timeoutMs = 20_000): Promise<void> {
    await eventually(() => (pattern.test(this.output) ? true : undefined), timeoutMs).catch(() => {
      throw new Error(`${PYTHON} did not print ${pattern} within ${timeoutMs} ms:\n${this.output.slice(-4000)}`);
    });
  }

  /** Resolves when it exits by itself. */
  exited(): Promise<void> {
    return this.#exited;
  }

  async kill(): Promise<void> {
    if (this.child.exitCode !== null || this.child.pid === undefined) return;
    try {
      process.kill(-this.child.pid, 'SIGKILL');
    } catch {
      return;
    }
    await this.#exited;
  }
}

/** What event_state.py printed: Celery's State of one worker and its tasks. */
export interface PythonEventState {
  celery: string;
  seen: { alive_while_online: boolean; types: string[] };
  worker: Record<string, unknown> | null;
  alive_at_end: boolean | null;
  tasks: Record<string, Record<string, unknown>>;
}

export function readEventState(output: string): PythonEventState {
  const line = output.trim().split('\n').pop() ?? '';
  return parseJson(line) as PythonEventState;
}
