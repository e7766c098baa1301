/**
 * The fields of task events, from what a worker or client has at hand: the task message, the
 * handler's result or error. Reprs are Python's, as Celery's events carry them for display.
 */
import { encodeException } from '../exception-info.js';
import { formatCeleryDate } from '../iso-date.js';
import { argsRepr, kwargsRepr, valueRepr } from '../py-repr.js';
import type { TaskMessage, TaskMessageInput } from '../task-message.js';
import type { TaskReceivedFields, TaskSentFields } from './event-types.js';

/** Celery's `resultrepr_maxsize`: a task-succeeded `result` is cut to this many characters. */
export const RESULT_REPR_MAX = 1024;

/**
 * task-received (and task-sent) fields of a message. Celery copies the argsrepr/kwargsrepr
 * headers; a message without them (an older or foreign client) gets them computed here rather
 * than Celery's empty string, so monitors still show the arguments.
 */
export function taskCallFields(task: TaskMessage): TaskReceivedFields {
  const { argsrepr, kwargsrepr } = task.headers;
  return {
    uuid: task.id,
    name: task.shadow ?? task.name,
    args: typeof argsrepr === 'string' ? argsrepr : argsRepr(task.args),
    kwargs: typeof kwargsrepr === 'string' ? kwargsrepr : kwargsRepr(task.kwargs),
    root_id: task.rootId,
    parent_id: task.parentId,
    retries: task.retries,
    eta: task.eta ? formatCeleryDate(task.eta) : null,
    expires: task.expires ? formatCeleryDate(task.expires) : null,
  };
}

/** Where a task was published: its queue, and the exchange and routing key it went to. */
export interface TaskRoute {
  queue: string;
  exchange: string;
  routingKey: string;
}

/** task-sent fields, from what a producer passed to encodeTask (Celery's `task_send_sent_event`). */
export function taskSentFields(input: TaskMessageInput, route: TaskRoute): TaskSentFields {
  return {
    uuid: input.id,
    root_id: input.rootId ?? input.id,
    parent_id: input.parentId ?? null,
    name: input.shadow ?? input.name,
    args: argsRepr(input.args ?? []),
    kwargs: kwargsRepr(input.kwargs ?? {}),
    retries: input.retries ?? 0,
    eta: input.eta ? formatCeleryDate(input.eta) : null,
    expires: input.expires ? formatCeleryDate(input.expires) : null,
    queue: route.queue,
    exchange: route.exchange,
    routing_key: route.routingKey,
  };
}

export function resultRepr(result: unknown): string {
  return valueRepr(result, RESULT_REPR_MAX);
}

/** `ValueError('bad')`: the exception's Python class name and its message, as Python's repr() shows it. */
export function exceptionRepr(error: unknown): string {
  const info = encodeException(error);
  return `${info.exc_type}(${info.exc_message.map((arg) => valueRepr(arg)).join(', ')})`;
}
