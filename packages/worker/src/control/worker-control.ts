/**
 * Builds what the control commands may reach from a worker's parts: its queue consumer (for
 * `add_consumer`), its slots (for `pool_grow`), its settings, its stop. The Worker hands over
 * these parts, never itself.
 */
import { taskQueue, type QueueConsumer, type QueueSpec } from '@celeriac/amqp';
import type { Slots } from '../execution/slots.js';
import type { TimeLimitOverrides } from '../execution/time-limit-overrides.js';
import type { CompiledWorkerOptions } from '../worker-options.js';
import type { ConsumerControl, ControlContext, QueueRequest } from './control-context.js';
import type { LamportClock } from './lamport-clock.js';
import { slotsPoolControl } from './pool-commands.js';
import type { Revocations } from './revocations.js';
import type { TaskRequests } from './task-requests.js';
import { workerSettings } from './worker-settings.js';

export interface WorkerControlParts {
  options: CompiledWorkerOptions;
  clock: LamportClock;
  revocations: Revocations;
  requests: TaskRequests;
  timeLimits: TimeLimitOverrides;
  slots: Slots;
  /** The task consumer, once it exists (control starts first). */
  consumer: () => QueueConsumer | null;
  startedAtMs: number;
  shutdown: () => void;
}

export function workerControlContext(parts: WorkerControlParts): ControlContext {
  const { options } = parts;
  return {
    nodeName: options.nodeName,
    logger: options.logger,
    clock: parts.clock,
    revocations: parts.revocations,
    requests: parts.requests,
    tasks: options.tasks,
    timeLimits: parts.timeLimits,
    consumers: consumerControl(parts.consumer, options),
    pool: slotsPoolControl(`celeriac:${options.pool}`, parts.slots, options.pool === 'inline'),
    about: {
      startedAtMs: parts.startedAtMs,
      brokerUrls: options.brokerUrl.split(';'),
      prefetchCount: options.prefetch,
      timeLimits: options.timeLimits,
      settings: (withDefaults) => workerSettings(options, withDefaults),
    },
    shutdown: parts.shutdown,
  };
}

function consumerControl(consumer: () => QueueConsumer | null, options: CompiledWorkerOptions): ConsumerControl {
  const current = () => {
    const found = consumer();
    if (!found) throw new Error('the worker is not consuming');
    return found;
  };
  return {
    queues: () => consumer()?.queues ?? options.queueSpecs,
    add: (request) => current().addQueue(queueSpec(request, options)),
    cancel: (name) => current().cancelQueue(name),
  };
}

/** Declared as this worker declares its task queues; a named exchange or key replaces Celery's defaults. */
function queueSpec(request: QueueRequest, options: CompiledWorkerOptions): QueueSpec {
  const spec = taskQueue(request.queue, options.queueOptions[request.queue], options.queueType);
  if (request.exchange === null && request.routingKey === null) return spec;
  return {
    ...spec,
    exchange: request.exchange ?? request.queue,
    exchangeType: request.exchangeType,
    routingKey: request.routingKey ?? request.queue,
  };
}
