/**
 * What a started worker holds (its connections, consumers, pool, stores, events) and how it is
 * let go at the end of a stop, in the order that loses nothing: consumers first (unfinished
 * messages go back to the queue), then what publishes, then the connections.
 */
import { loadMongoModule, type StoredResultBackend } from '@celeriac/core';
import type {
  AmqpConnection,
  AmqpConnectionOptions,
  GlobalTokens,
  PidboxConsumer,
  QueueConsumer,
} from '@celeriac/amqp';
import type { WorkerEventsRuntime } from './events/start-events.js';
import type { Pool } from './execution/pool.js';
import type { EmitWorkerEvent } from './worker-events.js';
import type { CompiledWorkerOptions } from './worker-options.js';

export interface Runtime {
  consuming: AmqpConnection;
  publishing: AmqpConnection;
  consumer: QueueConsumer;
  /** Celery's remote control (pidbox): inspect and control commands. */
  control: PidboxConsumer;
  /** Where handlers run; a child pool's threads or processes end when the worker stops. */
  pool: Pool;
  /** A storing result backend (MongoDB), closed when the worker stops. */
  stored: StoredResultBackend | null;
  /** The token queues of tasks with a globalRateLimit. */
  sharedTokens: Map<string, GlobalTokens>;
  /** Heartbeats and task events on `celeryev`. */
  events: WorkerEventsRuntime;
}

/** Ends a runtime once no task runs any more. */
export async function closeRuntime(runtime: Runtime): Promise<void> {
  await runtime.consumer.close();
  await runtime.control.close();
  await Promise.all([...runtime.sharedTokens.values()].map((tokens) => tokens.stop()));
  // worker-offline once nothing runs any more, on the connection that is still open.
  await runtime.events.close();
  // After the consumer's channel closed (requeueing what is unfinished), so no abandoned
  // task's outcome can still be acked or reported.
  await runtime.pool.close();
  await Promise.all([runtime.consuming.close(), runtime.publishing.close(), runtime.stored?.close()]);
}

/** Reports a connection's losses and returns as worker events. */
export function statusWatcher(
  emit: EmitWorkerEvent,
  connection: 'consume' | 'publish',
): Pick<AmqpConnectionOptions, 'onStatusChange'> {
  return { onStatusChange: (up) => emit(up ? 'connection:restored' : 'connection:lost', { connection }) };
}

/** MongoDB results through @celeriac/mongodb, loaded only when such a URL is configured. */
export async function openStoredResults(options: CompiledWorkerOptions): Promise<StoredResultBackend | null> {
  const { resultBackend, resultBackendUrl, resultExpiresMs, logger } = options;
  if (resultBackend !== 'mongodb' || resultBackendUrl === null) return null;
  return (await loadMongoModule()).openMongoResultBackend(resultBackendUrl, { resultExpiresMs, logger });
}
