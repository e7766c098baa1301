import { errorMeta, type Logger, type ResultWriter } from '@celeriac/core';
import type { ConfirmPublisher } from '@celeriac/amqp';
import { DeadLetters } from './dead-letters.js';
import { DeliveryProcessor } from './delivery-processor.js';
import type { Gate } from './job.js';
import { Rejector } from './rejector.js';
import { Slots } from './slots.js';
import { InlineExecutor } from './task-executor.js';
import { TaskReporter } from './task-reporter.js';
import type { CompiledWorkerOptions } from './worker-options.js';
import type { EmitWorkerEvent } from './worker-events.js';

export interface PipelineParts {
  options: CompiledWorkerOptions;
  publisher: ConfirmPublisher;
  results: ResultWriter | null;
  emit: EmitWorkerEvent;
  stopping: () => boolean;
  running: Set<AbortController>;
}

/**
 * Assembles what happens to a delivery: the gates in the order they apply, the executor, the
 * reporting. The one place to look for "what does the worker do with a message".
 */
export function buildPipeline(parts: PipelineParts): DeliveryProcessor {
  const { options, publisher, results, stopping, running } = parts;
  const emit = safeEmit(parts.emit, options.logger);
  const reporter = new TaskReporter(results);
  const rejector = new Rejector(new DeadLetters(publisher, options.nodeName), reporter, emit, options.logger);
  const gates: Gate[] = [];
  const executor = new InlineExecutor(options.nodeName);
  return new DeliveryProcessor({ options, reporter, rejector, gates, executor, slots: new Slots(options.concurrency), emit, stopping, running });
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
