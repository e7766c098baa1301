/**
 * What the remote-control commands may reach in their worker, each through a small interface
 * (never the Worker itself): what it holds, its consumers, its pool, its settings, its stop.
 */
import type { LamportClock, Logger } from '@celeriac/core';
import type { QueueSpec } from '@celeriac/amqp';
import type { AutoscalerInfo } from '../execution/autoscaler.js';
import type { TimeLimitOverrides } from '../execution/time-limit-overrides.js';
import type { TaskEventsSwitch } from '../events/task-events.js';
import type { RateLimits } from '../gates/rate-limits.js';
import type { TimeLimitsMs } from '../execution/time-limits.js';
import type { TaskRegistry } from '../task-registry.js';
import type { Revocations } from './revocations.js';
import type { TaskRequests } from './task-requests.js';

/** The task queues consumed now, changed at run time by `add_consumer` / `cancel_consumer`. */
export interface ConsumerControl {
  queues(): readonly QueueSpec[];
  /** Declares (as this worker declares task queues) and consumes; false if consumed already. */
  add(queue: QueueRequest): Promise<boolean>;
  /** False if the queue was not consumed. */
  cancel(name: string): Promise<boolean>;
}

/** A queue as `add_consumer` names it; the exchange defaults to the queue's own direct one. */
export interface QueueRequest {
  queue: string;
  exchange: string | null;
  exchangeType: string;
  routingKey: string | null;
}

/** The concurrency, changed at run time by `pool_grow` / `pool_shrink` / `autoscale`. */
export interface PoolControl {
  readonly implementation: string;
  readonly size: number;
  /** The processes tasks run in (a processes pool's children, else this one). */
  readonly pids: readonly number[];
  readonly maxTasksPerChild: number | null;
  /** The autoscaler's bounds and load, null when autoscale is off. */
  readonly autoscaler: AutoscalerInfo | null;
  grow(n: number): void;
  shrink(n: number): void;
  /** New autoscale bounds; throws ControlUnsupportedError('Autoscale not enabled') without an autoscaler. */
  autoscale(max: number | null, min: number | null): [max: number, min: number];
}

/** What `stats`, `conf` and `report` describe. */
export interface WorkerAbout {
  startedAtMs: number;
  /** The broker URLs as configured (stats leaves the password out). */
  brokerUrls: readonly string[];
  prefetchCount: number;
  /** Worker-wide time limits, for the pool's `timeouts`. */
  timeLimits: TimeLimitsMs;
  /** Celery-named settings, secrets masked; only those off their default unless `withDefaults`. */
  settings(withDefaults: boolean): Record<string, unknown>;
}

export interface ControlContext {
  nodeName: string;
  logger: Logger;
  clock: LamportClock;
  revocations: Revocations;
  requests: TaskRequests;
  tasks: Pick<TaskRegistry, 'get' | 'names'>;
  timeLimits: TimeLimitOverrides;
  /** The per-worker rate limits, which `rate_limit` changes at run time. */
  rateLimits: RateLimits;
  /** The task events switch, which `enable_events` / `disable_events` flip. */
  events: TaskEventsSwitch;
  consumers: ConsumerControl;
  pool: PoolControl;
  about: WorkerAbout;
  /** Sends a worker-heartbeat event now, as Celery's `heartbeat` command (nothing without heartbeat events). */
  heartbeat(): void;
  /** A graceful stop, as SIGTERM: running tasks finish. */
  shutdown(): void;
}
