import { createRequire } from 'node:module';
import { EventDispatcher, EventPublisher, type AmqpConnection } from '@celeriac/amqp';
import type { LamportClock, Logger } from '@celeriac/core';
import { forwardTaskEvents, type OnWorkerEvent, type TaskEventsSwitch } from './task-events.js';
import { WorkerHeartbeat, type WorkerLoad } from './worker-heartbeat.js';

const { version } = createRequire(import.meta.url)('../../package.json') as { version: string };

export interface EventParts {
  nodeName: string;
  /** Events go out on the worker's publishing connection, on a channel of their own. */
  publishing: AmqpConnection;
  clock: LamportClock;
  /** Task events on or off; the control commands flip it. */
  events: TaskEventsSwitch;
  /** Worker events (online, heartbeat, offline); Celery's `--without-heartbeat` turns them off. */
  heartbeatEvents: boolean;
  on: OnWorkerEvent;
  running: () => number;
  logger: Logger;
}

/** A worker's monitoring events: its heartbeat and, while switched on, its task events. */
export interface WorkerEventsRuntime {
  publisher: EventPublisher;
  heartbeat: WorkerHeartbeat | null;
  /** Sends worker-offline, then closes the event channel. */
  close(): Promise<void>;
}

export async function startEvents(parts: EventParts): Promise<WorkerEventsRuntime> {
  const publisher = await EventPublisher.create(parts.publishing, { logger: parts.logger });
  // Batched as Celery's default (prefork) worker batches them: a message per loop turn, not three per task.
  const dispatcher = new EventDispatcher(publisher, {
    hostname: parts.nodeName,
    clock: parts.clock,
    batchTaskEvents: true,
  });
  forwardTaskEvents(parts.on, dispatcher, parts.events);
  const heartbeat = parts.heartbeatEvents ? new WorkerHeartbeat(dispatcher, workerLoad(parts), version) : null;
  return {
    publisher,
    heartbeat,
    close: async () => {
      dispatcher.flush();
      heartbeat?.stop();
      await publisher.close();
    },
  };
}

/** Celery's `processed` counts tasks the pool accepted: here, those that started. */
function workerLoad(parts: EventParts): WorkerLoad {
  let processed = 0;
  parts.on('task:received', () => (processed += 1));
  return { active: parts.running, processed: () => processed };
}
