/**
 * A Python application calling tasks, as its authors would write it: test/python/call_task.py
 * (`send_task(name, args=..., kwargs=...)` + `AsyncResult.get()`), reporting exactly which class
 * `get()` raised. The interpreter is CELERIAC_TEST_PYTHON, as `npm test` sets it for each peer
 * (Debian's Celery 5.2 at /usr/bin/python3, the default, or PyPI's 5.6 in .venv-celery).
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseJson, stringifyJson } from '@celeriac/protocol';
import { BROKER_URL } from './broker.js';

export const USER_PYTHON = process.env.CELERIAC_TEST_PYTHON ?? '/usr/bin/python3';
/** test/dist/support/python-user.js → test/python/call_task.py */
const SCRIPT = fileURLToPath(new URL('../../python/call_task.py', import.meta.url));

export interface PythonCall {
  name: string;
  queue: string;
  args?: readonly unknown[];
  kwargs?: Record<string, unknown>;
  /** Celery's `time_limit` / `soft_time_limit`, seconds. */
  timeLimit?: number;
  softTimeLimit?: number;
  /** Seconds `get()` waits. @default 20 */
  timeoutS?: number;
}

export interface PythonCallOutcome {
  status: 'SUCCESS' | 'FAILURE' | 'TIMEOUT';
  task_id: string;
  result?: unknown;
  /** Python's repr() of the result, e.g. `[nan, inf, -inf]`. */
  result_repr?: string;
  /** Where the raised class lives: 'celery.exceptions.SoftTimeLimitExceeded', 'builtins.TypeError', '… (synthesized)'. */
  exc_class?: string;
  exc_message?: string;
  reply_to: string;
  /** The line as Python printed it. */
  line: string;
}

/** Runs one call; rejects (with Python's output) when the script printed no result line. */
export function callFromPython(call: PythonCall): Promise<PythonCallOutcome> {
  const env = { ...process.env, CELERIAC_TEST_BROKER_URL: BROKER_URL, PYTHONDONTWRITEBYTECODE: '1' };
  const timeoutMs = ((call.timeoutS ?? 20) + 20) * 1000; // get()'s own timeout answers first
  return new Promise((resolve, reject) => {
    execFile(
      USER_PYTHON,
      [SCRIPT, ...argv(call)],
      { env, timeout: timeoutMs, encoding: 'utf8' },
      (error, stdout, stderr) => {
        const line = stdout.trim().split('\n').pop() ?? '';
        try {
          resolve({ ...(parseJson(line) as Omit<PythonCallOutcome, 'line'>), line });
        } catch {
          reject(
            new Error(
              `call_task.py printed no result line (${error?.message ?? 'exit 0'}):\n${stdout}${stderr.slice(-3000)}`,
            ),
          );
        }
      },
    );
  });
}

function argv(call: PythonCall): string[] {
  // stringifyJson writes NaN/Infinity as bare tokens, which Python's json.loads reads back.
  const out = ['--name', call.name, '--queue', call.queue, '--timeout', String(call.timeoutS ?? 20)];
  out.push('--args', stringifyJson(call.args ?? []), '--kwargs', stringifyJson(call.kwargs ?? {}));
  if (call.timeLimit !== undefined) out.push('--time-limit', String(call.timeLimit));
  if (call.softTimeLimit !== undefined) out.push('--soft-time-limit', String(call.softTimeLimit));
  return out;
}
