/**
 * The processes a benchmark starts (workers, load generators, Celery): each in a process group of
 * its own, so stopping one also stops what it started (Celery's prefork children), and every one
 * still running is ended when the benchmark exits, however it exits.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BROKER_URL } from './broker.mjs';
import { onInterrupt } from './exit.mjs';
import { SYSTEM_PYTHON } from '../../lib/python-peers.mjs';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
export const CLI = join(ROOT, 'packages/cli/dist/bin/celeriac.js');
/** Debian's python3-celery lives under the system Python, not pyenv's (one place: scripts/lib/python-peers.mjs). */
export { SYSTEM_PYTHON };
const STOP_WAIT_MS = 10_000;

const running = new Set();

function killGroup(child, signal) {
  try {
    process.kill(-child.pid, signal);
  } catch {
    // Already gone.
  }
}

process.on('exit', () => {
  for (const child of running) killGroup(child, 'SIGKILL');
});
// A gentle stop first: a benchmark child interrupted this way cleans up its own queues and processes.
onInterrupt(() => Promise.all([...running].map(stop)));

/** Starts a process in its own group; its stderr is kept (the last 64 KB) for error messages. */
export function start(command, args, { cwd = ROOT, env = {}, stdout = 'ignore' } = {}) {
  const child = spawn(command, args, {
    cwd,
    env: { ...process.env, CELERIAC_BROKER: BROKER_URL, ...env },
    detached: true,
    stdio: ['ignore', stdout, 'pipe'],
  });
  child.stderrText = '';
  child.stderr.on('data', (chunk) => (child.stderrText = (child.stderrText + chunk.toString()).slice(-65_536)));
  child.exited = once(child, 'exit').then(([code, signal]) => ({ code, signal }));
  running.add(child);
  void child.exited.then(() => running.delete(child));
  return child;
}

/** SIGTERM to the group (a warm shutdown), SIGKILL if it is still there after STOP_WAIT_MS. */
export async function stop(child) {
  if (!running.has(child)) return child.exited;
  killGroup(child, 'SIGTERM');
  const timer = setTimeout(() => killGroup(child, 'SIGKILL'), STOP_WAIT_MS);
  const exit = await child.exited;
  clearTimeout(timer);
  // The group may outlive its leader (pool children): make sure nothing of it is left.
  killGroup(child, 'SIGKILL');
  return exit;
}

/** Throws with the child's stderr if it exits while `promise` is pending. */
export function unlessExited(child, promise, what) {
  const died = child.exited.then(({ code, signal }) => {
    throw new Error(`${what} exited (${signal ?? code}) early:\n${child.stderrText}`);
  });
  return Promise.race([promise, died]);
}

/**
 * `celeriac worker` with the bench app, as a user runs it. The pool is 'inline' unless asked:
 * the no-op and echo benchmarks measure the worker's own path, and a thread per slot (the CLI's
 * default pool) at -c 200 would measure thread hand-offs instead.
 */
export function celeriacWorker(
  queue,
  {
    concurrency,
    prefetchMultiplier,
    resultBackend = 'disabled',
    pool = 'inline',
    profileDir,
    queueType,
    events,
    processes,
  } = {},
) {
  const args = [
    CLI,
    'worker',
    '--app',
    'scripts/bench/apps/bench-tasks.mjs',
    '-Q',
    queue,
    '--result-backend',
    resultBackend,
    '--log-level',
    'warn',
    '-n',
    // Each supervised process needs a name of its own (%p, its pid).
    processes ? `${queue}-%p@%h` : `${queue}@%h`,
  ];
  if (concurrency) args.push('-c', String(concurrency));
  if (prefetchMultiplier) args.push('--prefetch-multiplier', String(prefetchMultiplier));
  if (pool) args.push('--pool', pool);
  if (queueType) args.push('--queue-type', queueType);
  if (events) args.push('--events');
  if (processes) args.push('--processes', String(processes));
  return start(process.execPath, [...profileFlags(profileDir), ...args], { env: { CELERIAC_LOG_FORMAT: 'json' } });
}

/** `node --cpu-prof` for a child whose profile is wanted (written when it exits). */
export function profileFlags(dir) {
  return dir ? ['--cpu-prof', '--cpu-prof-dir', dir] : [];
}

/**
 * Python Celery's worker (prefork), on the bench app in scripts/bench/python: Debian's Celery
 * unless `python` names another interpreter (the PyPI Celery of .venv-celery).
 */
export function celeryWorker(queue, { concurrency, python = SYSTEM_PYTHON, env = {} }) {
  const args = [
    '-m',
    'celery',
    '-A',
    'bench_tasks',
    'worker',
    '-P',
    'prefork',
    '-c',
    String(concurrency),
    '-Q',
    queue,
    '-n',
    `${queue}@%h`,
    '--without-gossip',
    '--without-mingle',
    '--without-heartbeat',
    '-l',
    'warning',
  ];
  return start(python, args, {
    cwd: join(ROOT, 'scripts/bench/python'),
    env: { PYTHONDONTWRITEBYTECODE: '1', ...env },
  });
}
