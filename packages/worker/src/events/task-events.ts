/**
 * Celery's task events, hung on the worker's typed events: each typed event that marks a point
 * of a task's life in the pipeline becomes the wire event Celery sends at that point (reference
 * celery-wave2 §3.2). Only while task events are on (`events: true`, `-E`, or `enable_events`).
 */
import type { EventDispatcher } from '@celeriac/amqp';
import { exceptionRepr, resultRepr, taskCallFields, valueRepr } from '@celeriac/protocol';
import { COUNT_REFUSED_CODE, MAX_DELIVERIES_CODE } from '../gates/delivery-count-gate.js';
import type { DeadLetterInfo, TaskFailedInfo, TaskRevokedInfo, WorkerEvents } from '../worker-events.js';

/** The worker's `on`, as a TypedEmitter has it. */
export type OnWorkerEvent = <K extends keyof WorkerEvents>(
  event: K,
  listener: (...args: WorkerEvents[K]) => void,
) => unknown;

/** Whether task events are sent now; flipped by the enable_events/disable_events commands. */
export interface TaskEventsSwitch {
  enabled: boolean;
}

/** Dead-letter codes of a decoded, registered task the worker gave up on (gates/delivery-count-gate.ts). */
const GIVEN_UP = new Set([MAX_DELIVERIES_CODE, COUNT_REFUSED_CODE]);

/** The signal number Celery reports for a terminate (SIGTERM, its default). */
const SIGTERM = 15;

export function forwardTaskEvents(on: OnWorkerEvent, dispatcher: EventDispatcher, events: TaskEventsSwitch): void {
  const forward = <K extends keyof WorkerEvents>(event: K, send: (...args: WorkerEvents[K]) => void) =>
    on(event, (...args: WorkerEvents[K]) => events.enabled && send(...args));
  forward('task:reserved', ({ task }) => dispatcher.send('task-received', taskCallFields(task)));
  forward('task:received', ({ id }) => dispatcher.send('task-started', { uuid: id }));
  forward('task:succeeded', ({ id, result, runtimeMs }) =>
    dispatcher.send('task-succeeded', { uuid: id, result: resultRepr(result), runtime: runtimeMs / 1000 }),
  );
  forward('task:failed', (info) => dispatcher.send('task-failed', failure(info)));
  forward('task:retried', (info) => dispatcher.send('task-retried', failure(info)));
  forward('task:revoked', (info) => dispatcher.send('task-revoked', revoked(info)));
  forward('message:dead-lettered', (info) => deadLettered(dispatcher, info));
}

function failure({ id, error }: TaskFailedInfo): { uuid: string; exception: string; traceback: string } {
  const traceback = error instanceof Error && error.stack ? error.stack : '';
  return { uuid: id, exception: exceptionRepr(error), traceback };
}

function revoked({ id, terminated, expired }: TaskRevokedInfo) {
  return { uuid: id, terminated, signum: terminated ? SIGTERM : null, expired };
}

/**
 * A message that names an unknown task is Celery's task-failed `NotRegistered('name')` without a
 * traceback; a known task given up on (delivered too often) is a task-rejected, not requeued.
 * Nothing for a message that could not be decoded: Celery sends nothing for one either.
 */
function deadLettered(dispatcher: EventDispatcher, { id, task, code }: DeadLetterInfo): void {
  if (id === null) return;
  if (code === 'NOT_REGISTERED' && task !== null)
    dispatcher.send('task-failed', { uuid: id, exception: `NotRegistered(${valueRepr(task)})` });
  else if (GIVEN_UP.has(code)) dispatcher.send('task-rejected', { uuid: id, requeue: false });
}
