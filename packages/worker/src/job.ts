import type { Logger } from '@celeriac/core';
import type { TaskMessage } from '@celeriac/protocol';
import type { Delivery } from '@celeriac/amqp';
import type { RegisteredTask } from './task-registry.js';

/** One decoded, registered task on its way through the worker, with the delivery it came in. */
export interface Job {
  readonly delivery: Delivery;
  readonly task: TaskMessage;
  readonly registered: RegisteredTask;
  /** Carries the task id and name on every line. */
  readonly logger: Logger;
  /**
   * Stops this run: the worker giving up at its shutdown timeout, or a revoke with terminate
   * (reason TaskRevokedError). The signal executors receive is this controller's. One per task,
   * shared by every layer: a controller costs a no-op task several percent of its time.
   */
  readonly abort: AbortController;
  /** Passed the gates and announced (task:reserved): metrics and events count it received once. */
  reserved?: boolean;
}
