import type { Job } from '../job.js';
import type { TaskOutcome } from './task-outcome.js';

/**
 * Runs a job's handler and says how it ended. `signal` is the handler's `ctx.signal` (the worker
 * gives up, a soft time limit, a revoke with terminate). `kill`, when given, fires when the work
 * must stop now (hard time limit, terminate, shutdown): a pool that can stop it does; see the
 * contract in time-limit-executor.ts. Without it, `signal` is both. Without `signal`, the job's
 * own (job.abort) is both, its AbortSignal made only if the handler or a pool reads it.
 */
export interface TaskExecutor {
  execute(job: Job, signal?: AbortSignal, kill?: AbortSignal): Promise<TaskOutcome>;
}
