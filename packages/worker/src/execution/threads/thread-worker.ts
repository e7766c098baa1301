/**
 * The entry of one thread of the 'threads' pool. It imports the app module itself (functions
 * cannot cross threads), says 'ready', then runs one task at a time as the pool asks. Logs go to
 * the main thread, which writes them with the task's logger; `ctx.signal` fires when the main
 * thread sends 'abort'.
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
  type FromThread,
  type ToThread,
  type WireContext,
} from './thread-protocol.js';

const port = parentPort;
const controllers = new Map<number, AbortController>();

function post(message: FromThread): void {
  port?.postMessage(message);
}

async function loadRegistry(url: string): Promise<TaskRegistry> {
  const module = (await import(url)) as Record<string, unknown>;
  const registry = [module.default, module.tasks].find(isTaskRegistry);
  if (!registry) throw new Error(`${url} exports no TaskRegistry (default export or "tasks")`);
  return registry;
}

function threadLogger(runId: number, bound: Record<string, unknown> = {}): Logger {
  return {
    log: (level: LogLevel, message: string, meta = {}) =>
      post({ type: 'log', runId, level, message, meta: cloneable({ ...bound, ...meta }) }),
    child: (meta) => threadLogger(runId, { ...bound, ...meta }),
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
  try {
    if (!registered)
      throw new Error(
        `task ${wire.name} is registered in the main thread but not in the thread's copy of the app module`,
      );
    const context: TaskContext = {
      ...wire,
      signal: controller.signal,
      logger: threadLogger(runId),
      retry: (options) => retry({ ...wire, policy: registered.options }, options),
    };
    post({ type: 'done', runId, outcome: toWireOutcome(plainResult(await runHandler(registered, args, context))) });
  } catch (error) {
    post({
      type: 'done',
      runId,
      outcome: {
        state: TaskState.FAILURE,
        result: { exc_type: 'Error', exc_message: [String(error)], exc_module: 'builtins' },
        traceback: null,
        error: toWireError(error),
      },
    });
  } finally {
    controllers.delete(runId);
  }
}

/** A result is JSON-encodable by now; as its JSON form it can also cross to the main thread. */
function plainResult(outcome: TaskOutcome): TaskOutcome {
  return outcome.state === TaskState.SUCCESS
    ? { ...outcome, result: parseJson(stringifyJson(outcome.result)) }
    : outcome;
}

async function main(): Promise<void> {
  let registry: TaskRegistry;
  try {
    registry = await loadRegistry((workerData as { appUrl: string }).appUrl);
  } catch (error) {
    return post({ type: 'load-failed', error: toWireError(error) });
  }
  port?.on('message', (message: ToThread) => {
    if (message.type === 'run') void run(registry, message.runId, message.args, message.context);
    else controllers.get(message.runId)?.abort(fromWireError(message.reason));
  });
  post({ type: 'ready' });
}

await main();
