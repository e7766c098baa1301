/**
 * Result backends, seen from each side. A worker writes states through a `ResultWriter`; a
 * client reads them through a `ResultReader`. rpc:// (replies over AMQP, in @celeriac/amqp)
 * and MongoDB implement them; the client and worker only know these interfaces.
 */
import type { ResultMeta, TaskState } from '@celeriac/protocol';

/** One state change of one task, with what a backend needs to route it back to its caller. */
export interface StateUpdate {
  taskId: string;
  state: TaskState;
  result: unknown;
  traceback: string | null;
  children?: unknown[];
  /** Where the caller listens (rpc), from the task message's `reply_to`. */
  replyTo: string | null;
  correlationId: string;
}

export interface ResultWriter {
  /** Resolves once the backend holds the state (confirmed publish, acknowledged write). */
  store(update: StateUpdate): Promise<void>;
}

export interface ResultReader {
  /** The `reply_to` task messages should carry so this backend sees their states, if any. */
  replyTo(): Promise<string | null>;
  /** The latest state known for a task, or null if none has been seen (PENDING). */
  latest(taskId: string): Promise<ResultMeta | null>;
  /** Resolves with the first ready state (SUCCESS, FAILURE, REVOKED); null waits without limit. */
  waitForReady(taskId: string, timeoutMs: number | null): Promise<ResultMeta>;
  close(): Promise<void>;
}

export type { ResultMeta, TaskState };
