/**
 * What a worker shares with its remote control, and how the control starts: the revocations,
 * the clock, the held tasks, the run-time time limits, the slots and the pool (with the
 * autoscaler that sizes them), which the pipeline reads and the commands change, each through a
 * small interface (ControlContext), never the Worker itself.
 */
import { LamportClock } from '@celeriac/core';
import type { AmqpConnection, ConfirmPublisher, PidboxConsumer, QueueConsumer, QueueSpec } from '@celeriac/amqp';
import { taskQueue } from '@celeriac/amqp';
import { Autoscaler, type Scalable } from '../execution/autoscaler.js';
import type { Pool } from '../execution/pool.js';
import { Slots } from '../execution/slots.js';
import { TimeLimitOverrides } from '../execution/time-limit-overrides.js';
import type { TaskEventsSwitch } from '../events/task-events.js';
import { RateLimits } from '../gates/rate-limits.js';
import type { CompiledWorkerOptions } from '../worker-options.js';
import type { ConsumerControl, ControlContext, QueueRequest } from './control-context.js';
import { mingle } from './mingle.js';
import { poolControl } from './pool-commands.js';
import { Revocations } from './revocations.js';
import { startControl } from './start-control.js';
import { TaskRequests } from './task-requests.js';
import { workerSettings } from './worker-settings.js';

/** How long a starting worker waits for the others' hello replies, as Celery's mingle. */
const MINGLE_TIMEOUT_MS = 1000;

export class WorkerControl {
  /** Filled by revoke commands and mingle, read by the pipeline; kept across reconnects, as Celery keeps it. */
  readonly revocations = new Revocations();
  /** Celery's `app.clock`: control replies, mingle and events share it. */
  readonly clock = new LamportClock();
  /** Whether task events are sent; enable_events/disable_events flip it. */
  readonly events: TaskEventsSwitch;
  readonly requests: TaskRequests;
  readonly timeLimits = new TimeLimitOverrides();
  /** Per-task buckets; `control rate_limit` changes survive reconnects, as in Celery. */
  readonly rateLimits: RateLimits;
  readonly slots: Slots;
  /** The slots and the pool's children, sized together (pool_grow, pool_shrink, the autoscaler). */
  readonly concurrency: Scalable;
  /** Sizes the concurrency by the load (`autoscale`); null when it is fixed. */
  readonly autoscaler: Autoscaler | null;
  /** Sends a heartbeat event now; set once the worker's events have started. */
  beat: () => void = () => undefined;
  /** The task consumer, once it exists (control starts first); add_consumer changes it. */
  consumer: QueueConsumer | null = null;

  constructor(
    private readonly options: CompiledWorkerOptions,
    /** Where handlers run: its children follow the concurrency. */
    private readonly pool: Pool,
    /** A graceful stop, as SIGTERM (`control shutdown`). */
    private readonly shutdown: () => void,
  ) {
    this.requests = new TaskRequests(options.nodeName);
    const slots = (this.slots = new Slots(options.concurrency));
    this.concurrency = {
      get size() {
        return slots.size;
      },
      resize: (size) => {
        slots.resize(size);
        pool.resize(slots.size);
      },
      get demand() {
        return slots.busy + slots.waiting;
      },
    };
    const { autoscale, logger } = options;
    this.autoscaler = autoscale ? new Autoscaler(this.concurrency, autoscale, logger) : null;
    this.rateLimits = new RateLimits(options.tasks);
    this.events = { enabled: options.events };
  }

  /**
   * Answers control requests, then mingles: a revoke sent while the worker starts, or before it
   * started to another worker, then already applies to its first tasks.
   */
  async start(consuming: AmqpConnection, publisher: ConfirmPublisher): Promise<PidboxConsumer> {
    const control = await startControl({ consuming, publisher, context: this.context(Date.now()) });
    const { nodeName, logger } = this.options;
    if (this.options.mingle) {
      const parts = { consuming, publisher, nodeName, logger, timeoutMs: MINGLE_TIMEOUT_MS };
      await mingle({ ...parts, revocations: this.revocations, clock: this.clock });
    }
    return control;
  }

  context(startedAtMs: number): ControlContext {
    const { options } = this;
    return {
      nodeName: options.nodeName,
      logger: options.logger,
      clock: this.clock,
      revocations: this.revocations,
      requests: this.requests,
      tasks: options.tasks,
      timeLimits: this.timeLimits,
      rateLimits: this.rateLimits,
      events: this.events,
      consumers: consumerControl(() => this.consumer, options),
      pool: poolControl({
        implementation: this.pool.implementation,
        concurrency: this.concurrency,
        pids: () => this.pool.pids,
        maxTasksPerChild: options.maxTasksPerChild,
        autoscaler: this.autoscaler,
      }),
      about: {
        startedAtMs,
        brokerUrls: options.brokerUrl.split(';'),
        prefetchCount: options.prefetch,
        timeLimits: options.timeLimits,
        settings: (withDefaults) => workerSettings(options, withDefaults),
      },
      heartbeat: () => this.beat(),
      shutdown: this.shutdown,
    };
  }
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
