/**
 * @module @celeriac/worker
 *
 * Runs registered tasks from RabbitMQ queues: decode, run, report, acknowledge, and
 * dead-letter whatever cannot run, without ever crashing on a message.
 *
 * ```ts
 * const tasks = new TaskRegistry().register(add, async (x, y) => x + y);
 * const worker = new Worker({ brokerUrl, tasks, queues: ['celery'], concurrency: 16 });
 * await worker.start();
 * ```
 */
export { Worker, type WorkerState, type StopOptions } from './worker.js';
export {
  TaskRegistry,
  isTaskRegistry,
  type TaskHandler,
  type TaskOptions,
  type NamedTaskOptions,
  type RegisteredTask,
} from './task-registry.js';
export type { TaskContext } from './execution/task-context.js';
export { compileWorkerOptions, type WorkerOptions, type CompiledWorkerOptions } from './worker-options.js';
export type {
  WorkerEvents,
  TaskEventInfo,
  TaskReservedInfo,
  TaskFinishedInfo,
  TaskSucceededInfo,
  TaskRevokedInfo,
  TaskFailedInfo,
  TaskRetriedInfo,
  DeadLetterInfo,
  LoopBlockedInfo,
  ConnectionInfo,
} from './worker-events.js';
export { Retry, MaxRetriesExceededError, type RetryOptions } from './retry/retry-decision.js';
export { DEFAULT_RETRY_POLICY, type RetryPolicy, type AutoRetryFor, type ErrorClass } from './retry/retry-policy.js';
export {
  SoftTimeLimitExceeded,
  TimeLimitExceeded,
  isHardTimeLimit,
  type TimeLimitsMs,
} from './execution/time-limits.js';
export { TaskRevokedError } from './execution/task-revoked-error.js';
export { DELIVERIES_HEADER } from '@celeriac/protocol';
export { MAX_DELIVERIES_CODE } from './gates/delivery-count-gate.js';
export type { WorkerPool, AutoscaleOptions } from './worker-options.js';
export type { ChildRecycledInfo, RecycleReason } from './execution/children/recycling.js';
export { BLOCKED_LOOP_MS, type LoopDelay } from './execution/loop-watchdog.js';
export { HEARTBEAT_FREQ_S } from './events/worker-heartbeat.js';
