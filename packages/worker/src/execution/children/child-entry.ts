/**
 * The entry of one child of a child pool: a worker thread ('threads') or a child process
 * ('processes', forked with the V8 serializer on its IPC channel). It imports the app module
 * itself (functions cannot cross), says 'ready', then runs one task at a time as the pool asks.
 * Logs go to the pool, which writes them with the task's logger; `ctx.signal` fires when the
 * pool sends 'abort'. After each run it says how much memory it holds (maxMemoryPerChildKb).
 *
 * A child process ends when its IPC channel does (the worker exited, even by SIGKILL), so a dead
 * worker leaves no orphan computing for nobody.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { Logger, LogLevel } from '@celeriac/core';
import { TaskState, parseJson, stringifyJson } from '@celeriac/protocol';
import { retry } from '../../retry/retry-decision.js';
import { isTaskRegistry, type TaskRegistry } from '../../task-registry.js';
import { runHandler } from '../run-handler.js';
import type { TaskContext } from '../task-context.js';
import type { TaskOutcome } from '../task-outcome.js';
import {
  fromWireError,
  toWireError,
  toWireOutcome,
  type FromChild,
  type ToChild,
  type WireContext,
} from './child-protocol.js';

/** How this child talks to its pool: a thread's port, or a process's IPC channel. */
interface Port {
  post(message: FromChild): void;
  onMessage(listener: (message: ToChild) => void): void;
  /** The app module's URL, as the pool passed it. */
  appUrl: string;
  /** Bytes this child holds now (see FromChild 'done'). */
  memoryBytes(): number;
}

function threadPort(): Port | null {
  const port = parentPort;
  if (!port) return null;
  return {
    post: (message) => port.postMessage(message),
    onMessage: (listener) => void port.on('message', listener),
    appUrl: (workerData as { appUrl: string }).appUrl,
    memoryBytes: () => {
      // In a thread, heapUsed and external are this thread's; rss is the whole process's.
      const { heapUsed, external } = process.memoryUsage();
      return heapUsed + external;
    },
  };
}

function processPort(): Port | null {
  const send = process.send?.bind(process);
  const appUrl = process.argv[2];
  if (!send || !appUrl) return null;
  // The worker is gone (its end of the channel closed): nobody waits for what this child computes.
  process.on('disconnect', () => process.exit(0));
  return {
    post: (message) => void send(message),
    onMessage: (listener) => void process.on('message', (message) => listener(message as ToChild)),
    appUrl,
    memoryBytes: () => process.memoryUsage.rss(),
  };
}

const port = threadPort() ?? processPort();
const controllers = new Map<number, AbortController>();

function post(message: FromChild): void {
  port?.post(message);
}

async function loadRegistry(url: string): Promise<TaskRegistry> {
  const module = (await import(url)) as Record<string, unknown>;
  const registry = [module.default, module.tasks].find(isTaskRegistry);
  if (!registry) throw new Error(`${url} exports no TaskRegistry (default export or "tasks")`);
  return registry;
}

function childLogger(runId: number, bound: Record<string, unknown> = {}): Logger {
  return {
    log: (level: LogLevel, message: string, meta = {}) =>
      post({ type: 'log', runId, level, message, meta: cloneable({ ...bound, ...meta }) }),
    child: (meta) => childLogger(runId, { ...bound, ...meta }),
  };
}

/** Log metadata may hold anything; what cannot be cloned goes over as its JSON form. */
function cloneable(meta: Record<string, unknown>): Record<string, unknown> {
  try {
    return structuredClone(meta);
  } catch {
    return JSON.parse(
      JSON.stringify(meta, (_key, value: unknown) => (typeof value === 'bigint' ? value.toString() : value)),
    ) as Record<string, unknown>;
  }
}

async function run(registry: TaskRegistry, runId: number, args: readonly unknown[], wire: WireContext): Promise<void> {
  const registered = registry.get(wire.name);
  const controller = new AbortController();
  controllers.set(runId, controller);
  let outcome: TaskOutcome;
  try {
    if (!registered)
      throw new Error(`task ${wire.name} is registered in the worker but not in the child's copy of the app module`);
    const context: TaskContext = {
      ...wire,
      signal: controller.signal,
      logger: childLogger(runId),
      retry: (options) => retry({ ...wire, policy: registered.options }, options),
    };
    outcome = plainResult(await runHandler(registered, args, context));
  } catch (error) {
    outcome = {
      state: TaskState.FAILURE,
      result: { exc_type: 'Error', exc_message: [String(error)], exc_module: 'builtins' },
      traceback: null,
      error,
    };
  } finally {
    controllers.delete(runId);
  }
  post({ type: 'done', runId, outcome: toWireOutcome(outcome), memoryBytes: port?.memoryBytes() ?? 0 });
}

/** A result is JSON-encodable by now; as its JSON form it can also cross to the pool. */
function plainResult(outcome: TaskOutcome): TaskOutcome {
  return outcome.state === TaskState.SUCCESS
    ? { ...outcome, result: parseJson(stringifyJson(outcome.result)) }
    : outcome;
}

async function main(): Promise<void> {
  if (!port) throw new Error('child-entry runs as a child of a celeriac pool (a worker thread or a forked process)');
  let registry: TaskRegistry;
  try {
    registry = await loadRegistry(port.appUrl);
  } catch (error) {
    return post({ type: 'load-failed', error: toWireError(error) });
  }
  port.onMessage((message) => {
    if (message.type === 'run') void run(registry, message.runId, message.args, message.context);
    else controllers.get(message.runId)?.abort(fromWireError(message.reason));
  });
  post({ type: 'ready' });
}

await main();
