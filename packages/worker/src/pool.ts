import { ConfigurationError } from '@celeriac/core';
import { InlineExecutor, type TaskExecutor } from './task-executor.js';
import { ThreadExecutor } from './thread-executor.js';
import type { CompiledWorkerOptions } from './worker-options.js';

/** Where handlers run, with a lifetime: started before the worker consumes, closed when it stops. */
export interface Pool extends TaskExecutor {
  start(): Promise<void>;
  close(): Promise<void>;
}

/** The pool the options ask for: 'inline' (the event loop) or 'threads' (worker_threads). */
export function createPool(options: CompiledWorkerOptions): Pool {
  const { pool, appModule, concurrency: size, nodeName: hostname, logger } = options;
  if (pool === 'inline') return inlinePool(new InlineExecutor(hostname));
  if (appModule === null) throw new ConfigurationError("pool 'threads' needs appModule");
  return new ThreadExecutor({ appModule, size, hostname, logger });
}

/** Nothing to start or stop: the handlers are the worker's own functions. */
function inlinePool(executor: InlineExecutor): Pool {
  return { execute: (job, signal) => executor.execute(job, signal), start: () => Promise.resolve(), close: () => Promise.resolve() };
}
