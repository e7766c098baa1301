import type { Logger } from '@celeriac/core';
import type { TaskMessage } from '@celeriac/protocol';
import type { Delivery } from '@celeriac/amqp';
import type { TaskAbort } from './execution/task-abort.js';
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
   * (reason TaskRevokedError). Executors called without a signal use this one's, made only when
   * read (TaskAbort): one per task, shared by every layer.
   */
  readonly abort: TaskAbort;
  /** Passed the gates and announced (task:reserved): metrics and events count it received once. */
  reserved?: boolean;
}
