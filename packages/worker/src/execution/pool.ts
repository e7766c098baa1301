import { ConfigurationError } from '@celeriac/core';
import type { Job } from '../job.js';
import type { CompiledWorkerOptions } from '../worker-options.js';
import type { EmitWorkerEvent } from '../worker-events.js';
import { InlineExecutor } from './inline-executor.js';
import type { TaskExecutor } from './task-executor.js';
import { ThreadExecutor } from './threads/thread-executor.js';

/** Where handlers run, with a lifetime: started before the worker consumes, closed when it stops. */
export interface Pool extends TaskExecutor {
  start(): Promise<void>;
  close(): Promise<void>;
}

/** The pool the options ask for: 'inline' (the event loop) or 'threads' (worker_threads). */
export function createPool(options: CompiledWorkerOptions, emit: EmitWorkerEvent): Pool {
  const { pool, appModule, concurrency: size, nodeName: hostname, logger } = options;
  if (pool === 'inline')
    return inlinePool(new InlineExecutor(hostname, (job, blockedMs) => reportBlockedLoop(job, blockedMs, emit)));
  if (appModule === null) throw new ConfigurationError("pool 'threads' needs appModule");
  return new ThreadExecutor({ appModule, size, hostname, logger });
}

/** Nothing to start or stop: the handlers are the worker's own functions. */
function inlinePool(executor: InlineExecutor): Pool {
  return {
    execute: (job, signal) => executor.execute(job, signal),
    start: () => Promise.resolve(),
    close: () => Promise.resolve(),
  };
}

/**
 * One error naming the task, how long it blocked and the pool to use instead; the event lets
 * metrics count it. The lost connection it may cause is handled by FinishedOutcomes.
 */
function reportBlockedLoop(job: Job, blockedMs: number, emit: EmitWorkerEvent): void {
  job.logger.log(
    'error',
    `the handler blocked the event loop for ${blockedMs} ms: heartbeats and acks waited, and past the heartbeat timeout the broker drops the connection and delivers the task again; run CPU-bound or synchronous handlers on the threads pool (--pool threads)`,
    { blockedMs, pool: 'inline' },
  );
  emit('worker:loop-blocked', { id: job.task.id, name: job.task.name, queue: job.delivery.queue, blockedMs });
}
