/**
 * The messages between a child pool (the worker's thread) and its children (child-entry.ts),
 * worker threads or child processes alike. All of them are structured-clone data (a child
 * process's IPC channel uses the same V8 serializer): no functions, no class instances, errors
 * as plain records.
 */
import { TaskState, type ExceptionInfo } from '@celeriac/protocol';
import type { LogLevel } from '@celeriac/core';
import { wasRedelivered } from '../../gates/delivery-count.js';
import type { Job } from '../../job.js';
import { Retry } from '../../retry/retry-decision.js';
import type { TaskOutcome } from '../task-outcome.js';

/** An Error as plain data: enough to log it and to rebuild one of the same name. */
export interface WireError {
  name: string;
  message: string;
  stack: string | null;
  excModule: string | null;
}

/** The TaskContext fields that are data; the child adds signal, logger and retry. */
export interface WireContext {
  id: string;
  name: string;
  retries: number;
  kwargs: Record<string, unknown>;
  headers: Record<string, unknown>;
  rootId: string;
  parentId: string | null;
  eta: Date | null;
  expires: Date | null;
  delivery: { queue: string; redelivered: boolean };
  hostname: string;
}

export type ToChild =
  | { type: 'run'; runId: number; args: readonly unknown[]; context: WireContext }
  /** Fires the running handler's `ctx.signal` with this reason. */
  | { type: 'abort'; runId: number; reason: WireError };

export type WireOutcome =
  | { state: typeof TaskState.SUCCESS; result: unknown }
  | {
      state: typeof TaskState.FAILURE | typeof TaskState.REVOKED;
      result: ExceptionInfo;
      traceback: string | null;
      error: WireError;
    }
  | {
      state: typeof TaskState.RETRY;
      result: ExceptionInfo;
      traceback: string | null;
      error: WireError;
      retry: { delayMs: number; queue: string | null };
    };

export type FromChild =
  | { type: 'ready' }
  | { type: 'load-failed'; error: WireError }
  | { type: 'log'; runId: number; level: LogLevel; message: string; meta: Record<string, unknown> }
  /**
   * `memoryBytes`: what the child holds after the run, for maxMemoryPerChildKb: a process's
   * resident set; a thread's own V8 heap in use plus its external (Buffer) memory, since the
   * threads of a process share one resident set.
   */
  | { type: 'done'; runId: number; outcome: WireOutcome; memoryBytes: number };

export function toWireError(error: unknown): WireError {
  if (!(error instanceof Error)) return { name: 'Error', message: String(error), stack: null, excModule: null };
  const excModule = (error as { excModule?: unknown }).excModule;
  return {
    name: error.name,
    message: error.message,
    stack: error.stack ?? null,
    excModule: typeof excModule === 'string' ? excModule : null,
  };
}

export function fromWireError(wire: WireError): Error {
  const error = new Error(wire.message);
  error.name = wire.name;
  error.stack = wire.stack ?? `${wire.name}: ${wire.message}`;
  return wire.excModule ? Object.assign(error, { excModule: wire.excModule }) : error;
}

export function toWireOutcome(outcome: TaskOutcome): WireOutcome {
  if (outcome.state === TaskState.SUCCESS) return outcome;
  const { state, result, traceback } = outcome;
  if (outcome.state === TaskState.RETRY) {
    const { delayMs, queue } = outcome.retry;
    return { state: TaskState.RETRY, result, traceback, error: toWireError(outcome.error), retry: { delayMs, queue } };
  }
  return { state, result, traceback, error: toWireError(outcome.error) } as WireOutcome;
}

export function fromWireOutcome(wire: WireOutcome): TaskOutcome {
  if (wire.state === TaskState.SUCCESS) return wire;
  const error = fromWireError(wire.error);
  if (wire.state === TaskState.RETRY)
    return { ...wire, error, retry: new Retry(wire.retry.delayMs, wire.retry.queue, error) };
  return { ...wire, error } as TaskOutcome;
}

/** The context fields a handler sees, as data the child can receive. */
export function wireContext(job: Job, hostname: string): WireContext {
  const { id, name, retries, kwargs, headers, rootId, parentId, eta, expires } = job.task;
  const delivery = { queue: job.delivery.queue, redelivered: wasRedelivered(job.delivery.message) };
  return { id, name, retries, kwargs, headers, rootId, parentId, eta, expires, delivery, hostname };
}
