import { errorMeta, type Logger, type ResultReader, type ResultWriter } from '@celeriac/core';
import type { ConfirmPublisher } from '@celeriac/amqp';
import { DeadLetters } from './dead-letters.js';
import { DeliveryCountGate } from './delivery-count-gate.js';
import { DeliveryProcessor } from './delivery-processor.js';
import { DuplicateGate } from './duplicate-gate.js';
import { EtaGate } from './eta-gate.js';
import { ExpiryGate } from './expiry-gate.js';
import { FinishedOutcomes } from './finished-outcomes.js';
import type { Gate } from './job.js';
import { RetryPublisher } from './retry-publisher.js';
import { Rejector } from './rejector.js';
import type { Revocations } from './revocations.js';
import { RevokedGate } from './revoked-gate.js';
import { Slots } from './slots.js';
import type { TaskExecutor } from './task-executor.js';
import { TaskReporter } from './task-reporter.js';
import { TimeLimitExecutor } from './time-limits.js';
import type { CompiledWorkerOptions } from './worker-options.js';
import type { EmitWorkerEvent } from './worker-events.js';

export interface PipelineParts {
  options: CompiledWorkerOptions;
  publisher: ConfirmPublisher;
  results: ResultWriter | null;
  emit: EmitWorkerEvent;
  stopping: () => boolean;
  running: Set<AbortController>;
  /** Where handlers run (pool.ts): the inline pool or the threads pool. */
  pool: TaskExecutor;
  /** Revoked ids and running tasks, shared with the control consumer that fills it. */
  revocations: Revocations;
  /** The result backend, when it can be read by task id (MongoDB): enables duplicate suppression. */
  stored?: Pick<ResultReader, 'latest'> | null;
}

/**
 * Assembles what happens to a delivery: the gates in the order they apply, the executor, the
 * reporting. The one place to look for "what does the worker do with a message".
 */
export function buildPipeline(parts: PipelineParts): DeliveryProcessor {
  const { options, publisher, results, stopping, running } = parts;
  const emit = safeEmit(parts.emit, options.logger);
  const reporter = new TaskReporter(results);
  const rejector = new Rejector(new DeadLetters(publisher, options.nodeName, options.logger), reporter, emit, options.logger);
  const expiry = new ExpiryGate(reporter);
  const revoked = new RevokedGate(parts.revocations.ids, reporter);
  const deliveries = new DeliveryCountGate(options.maxDeliveries, publisher, rejector, reporter);
  const finished = new FinishedOutcomes(reporter);
  const gates: Gate[] = [
    // First: a task that already finished here (its ack was lost with its channel) is answered, not run or counted again.
    finished,
    // Then: a message that keeps killing workers must be stopped before anything else runs it.
    deliveries,
    revoked,
    // A task whose id already SUCCEEDED (redelivery, duplicate fire) is acked, not run twice.
    ...(parts.stored ? [new DuplicateGate(parts.stored)] : []),
    expiry,
    // Last: only a task that would run now may wait (under a second) in memory.
    new EtaGate(publisher),
  ];
  // Celery checks again right before running: a task can be revoked or expire while it waits for a slot.
  const recheck: Gate[] = [revoked, expiry];
  const retries = new RetryPublisher(publisher, options.nodeName, options.queueOptions);
  const executor = parts.pool;
  // Outermost: a terminated task is REVOKED whatever the limits made of it.
  const guarded = parts.revocations.wrap(new TimeLimitExecutor(executor, options.timeLimits, options.pool === 'threads'));
  return new DeliveryProcessor({ options, reporter, rejector, gates, recheck, retries, finished, executor: guarded, slots: new Slots(options.concurrency), emit, stopping, handBack: (job, how) => deliveries.handBack(job, how), running });
}

/**
 * An application listener that throws must not fail the delivery: its message may already be
 * acknowledged, and settling it again is a 406 that closes the channel under every other task.
 */
export function safeEmit(emit: EmitWorkerEvent, logger: Logger): EmitWorkerEvent {
  return (event, ...args) => {
    try {
      emit(event, ...args);
    } catch (error) {
      logger.log('error', `a '${event}' event listener threw`, errorMeta(error));
    }
  };
}
