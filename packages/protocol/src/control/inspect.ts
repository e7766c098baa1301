/**
 * The reply values of Celery's inspect commands (`active`, `reserved`, `scheduled`,
 * `query_task`, `active_queues`), shaped as a Celery 5.6 worker sends them and as `celery
 * inspect` and Flower read them (reference wave2 §4.2; checked against a live 5.6.3 worker).
 */
import { formatCeleryDate } from '../iso-date.js';
import { argsRepr, kwargsRepr } from '../py-repr.js';

/** Celery's `Request.info()`: one task a worker holds. */
export interface RequestInfo {
  id: string;
  name: string;
  /** The real arguments, or their Python repr when the requester asked `safe`. */
  args: unknown;
  kwargs: unknown;
  type: string;
  hostname: string;
  /** Epoch seconds the run started; null while the task waits. */
  time_start: number | null;
  acknowledged: boolean;
  delivery_info: { exchange: string; routing_key: string; priority: number | null; redelivered: boolean };
  /** The process running the task; null while it waits. */
  worker_pid: number | null;
}

/** What a worker knows of one held task, to build its info from. */
export interface HeldTask {
  id: string;
  name: string;
  args: readonly unknown[];
  kwargs: Readonly<Record<string, unknown>>;
  hostname: string;
  startedAtMs: number | null;
  acknowledged: boolean;
  exchange: string;
  routingKey: string;
  priority: number | null;
  redelivered: boolean;
  workerPid: number | null;
}

export function requestInfo(task: HeldTask, safe = false): RequestInfo {
  return {
    id: task.id,
    name: task.name,
    args: safe ? argsRepr(task.args) : task.args,
    kwargs: safe ? kwargsRepr(task.kwargs) : task.kwargs,
    type: task.name,
    hostname: task.hostname,
    time_start: task.startedAtMs === null ? null : task.startedAtMs / 1000,
    acknowledged: task.acknowledged,
    delivery_info: deliveryInfo(task),
    worker_pid: task.workerPid,
  };
}

function deliveryInfo(task: HeldTask): RequestInfo['delivery_info'] {
  return {
    exchange: task.exchange,
    routing_key: task.routingKey,
    priority: task.priority,
    redelivered: task.redelivered,
  };
}

/** One entry of `scheduled`: Celery's timer entries for ETA tasks carry priority 6. */
export interface ScheduledInfo {
  eta: string | null;
  priority: number;
  request: RequestInfo;
}

export function scheduledInfo(eta: Date | null, request: RequestInfo): ScheduledInfo {
  return { eta: eta === null ? null : formatCeleryDate(eta), priority: 6, request };
}

/** Where a held task is, as `query_task` names it. */
export type HeldState = 'active' | 'reserved' | 'ready';

/** A consumed queue as the worker declared it. */
export interface ConsumedQueue {
  name: string;
  exchange: string;
  exchangeType: string;
  routingKey: string;
  durable: boolean;
  exclusive: boolean;
  autoDelete: boolean;
  arguments: Readonly<Record<string, unknown>>;
}

/** kombu's `Queue.as_dict(recurse=True)`, as `inspect active_queues` lists it. */
export function queueAsDict(queue: ConsumedQueue): Record<string, unknown> {
  const args = Object.keys(queue.arguments).length > 0 ? { ...queue.arguments } : null;
  return {
    name: queue.name,
    exchange: exchangeAsDict(queue),
    routing_key: queue.routingKey,
    queue_arguments: args,
    binding_arguments: null,
    consumer_arguments: null,
    durable: queue.durable,
    exclusive: queue.exclusive,
    auto_delete: queue.autoDelete,
    no_ack: false,
    alias: null,
    bindings: [],
    no_declare: null,
    ...queueLimits(queue.arguments),
  };
}

function exchangeAsDict(queue: ConsumedQueue): Record<string, unknown> {
  return {
    name: queue.exchange,
    type: queue.exchangeType,
    arguments: null,
    durable: true,
    passive: false,
    auto_delete: false,
    delivery_mode: null,
    no_declare: false,
  };
}

/** kombu reads these back from the declaration's x- arguments (seconds for the times). */
function queueLimits(args: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const seconds = (key: string) => (typeof args[key] === 'number' ? args[key] / 1000 : null);
  return {
    expires: seconds('x-expires'),
    message_ttl: seconds('x-message-ttl'),
    max_length: args['x-max-length'] ?? null,
    max_length_bytes: args['x-max-length-bytes'] ?? null,
    max_priority: args['x-max-priority'] ?? null,
  };
}
