import { ProtocolError, TaskState, decodeTask, type TaskMessage } from '@celeriac/protocol';
import { errorMeta, type Logger, type ResultWriter, type StateUpdate } from '@celeriac/core';
import type { Delivery } from '@celeriac/amqp';
import type { DeadLetterReason, DeadLetters } from './dead-letters.js';
import { notRegisteredException, rejectionException } from './rejection.js';
import type { Slots } from './slots.js';
import type { TaskContext } from './task-context.js';
import { runHandler, type TaskOutcome } from './task-outcome.js';
import type { RegisteredTask } from './task-registry.js';
import type { CompiledWorkerOptions } from './worker-options.js';
import type { WorkerEvents } from './worker-events.js';

export interface ProcessorDeps {
  options: CompiledWorkerOptions;
  results: ResultWriter | null;
  deadLetters: DeadLetters;
  slots: Slots;
  emit: <E extends keyof WorkerEvents & string>(event: E, ...args: WorkerEvents[E]) => void;
  /** True once the worker is stopping: tasks still waiting for a slot go back to the queue. */
  stopping: () => boolean;
  /** One controller per running task, aborted when the worker gives up on it. */
  running: Set<AbortController>;
}

const REQUEUE_DELAY_MS = 1000;

/**
 * Takes one delivery from the broker to its end: decode, look up, run, report, acknowledge.
 * The state is reported before the ack (a crash in between re-runs the task, never loses it),
 * and no input can make this throw: whatever cannot run is reported and dead-lettered.
 */
export class DeliveryProcessor {
  readonly #logger: Logger;

  constructor(private readonly deps: ProcessorDeps) {
    this.#logger = deps.options.logger;
  }

  async process(delivery: Delivery): Promise<void> {
    let task: TaskMessage;
    try {
      task = decodeTask(delivery.message, { maxBodyBytes: this.deps.options.maxBodyBytes });
    } catch (error) {
      return this.#reject(delivery, error);
    }
    const registered = this.deps.options.tasks.get(task.name);
    if (!registered) return this.#notRegistered(delivery, task);
    await this.deps.slots.run(() => this.#execute(delivery, task, registered));
  }

  async #execute(delivery: Delivery, task: TaskMessage, registered: RegisteredTask): Promise<void> {
    if (this.deps.stopping()) return delivery.requeue();
    const logger = this.#logger.child({ taskId: task.id, task: task.name });
    const info = { id: task.id, name: task.name, queue: delivery.queue };
    logger.log('info', 'task received', { retries: task.retries, redelivered: delivery.message.fields.redelivered });
    this.#emit('task:received', info);
    const started = Date.now();
    const outcome = await this.#run(delivery, task, registered, logger);
    // Given up at shutdown: the message goes back to the queue, so the caller must not hear a FAILURE.
    if (!outcome) return delivery.requeue();
    const runtimeMs = Date.now() - started;
    if (!(await this.#report(delivery, task, outcome, registered, logger))) return;
    delivery.ack();
    if (outcome.state === TaskState.SUCCESS) {
      logger.log('info', 'task succeeded', { runtimeMs });
      this.#emit('task:succeeded', { ...info, runtimeMs });
    } else {
      logger.log('warn', 'task failed', { runtimeMs, ...errorMeta(outcome.error) });
      this.#emit('task:failed', { ...info, runtimeMs, error: outcome.error });
    }
  }

  /** The handler's outcome, or null when the worker aborted it (shutdown timeout). */
  async #run(delivery: Delivery, task: TaskMessage, registered: RegisteredTask, logger: Logger): Promise<TaskOutcome | null> {
    const controller = new AbortController();
    this.deps.running.add(controller);
    try {
      if (this.deps.options.trackStarted) await this.#store(task, TaskState.STARTED, { pid: process.pid, hostname: this.deps.options.nodeName }, null);
      const outcome = await runHandler(registered, task.args, this.#context(delivery, task, controller.signal, logger));
      return controller.signal.aborted ? null : outcome;
    } finally {
      this.deps.running.delete(controller);
    }
  }

  /** Reports the outcome; false (and the message requeued) when the backend could not take it. */
  async #report(delivery: Delivery, task: TaskMessage, outcome: TaskOutcome, registered: RegisteredTask, logger: Logger): Promise<boolean> {
    const skip = outcome.state === TaskState.SUCCESS && (task.ignoreResult || registered.options.ignoreResult);
    if (skip) return true;
    try {
      await this.#store(task, outcome.state, outcome.result, outcome.state === TaskState.FAILURE ? outcome.traceback : null);
      return true;
    } catch (error) {
      logger.log('error', 'could not report the task state; the task goes back to the queue', errorMeta(error));
      this.#requeueLater(delivery);
      return false;
    }
  }

  #context(delivery: Delivery, task: TaskMessage, signal: AbortSignal, logger: Logger): TaskContext {
    const { id, name, retries, kwargs, headers, rootId, parentId, eta, expires } = task;
    const deliveryInfo = { queue: delivery.queue, redelivered: delivery.message.fields.redelivered };
    return { id, name, retries, kwargs, headers, rootId, parentId, eta, expires, delivery: deliveryInfo, hostname: this.deps.options.nodeName, signal, logger };
  }

  async #store(task: Pick<TaskMessage, 'id' | 'replyTo' | 'correlationId'>, state: StateUpdate['state'], result: unknown, traceback: string | null): Promise<void> {
    await this.deps.results?.store({ taskId: task.id, state, result, traceback, replyTo: task.replyTo, correlationId: task.correlationId });
  }

  async #notRegistered(delivery: Delivery, task: TaskMessage): Promise<void> {
    this.#logger.log('error', 'received an unregistered task; it is answered NotRegistered and dead-lettered', { taskId: task.id, task: task.name });
    await this.#tellCaller(task, notRegisteredException(task.name));
    await this.#deadLetter(delivery, { code: 'NOT_REGISTERED', message: `task ${task.name} is not registered on this worker` }, task.id);
  }

  async #reject(delivery: Delivery, error: unknown): Promise<void> {
    const reason = { code: error instanceof ProtocolError ? error.code : 'DECODE_FAILED', message: (error as Error).message ?? String(error) };
    const identity = error instanceof ProtocolError ? error.identity : {};
    this.#logger.log('error', 'dead-lettering a message that is not a valid task', { ...reason, taskId: identity.id, queue: delivery.queue });
    if (identity.id && identity.replyTo && error instanceof ProtocolError) {
      const { id, replyTo, correlationId = id } = identity;
      await this.#tellCaller({ id, replyTo, correlationId }, rejectionException(error));
    }
    await this.#deadLetter(delivery, reason, identity.id ?? null);
  }

  /** Best effort: the message is dead-lettered whether or not its caller can be told. */
  async #tellCaller(task: Pick<TaskMessage, 'id' | 'replyTo' | 'correlationId'>, exception: unknown): Promise<void> {
    await this.#store(task, TaskState.FAILURE, exception, null).catch((error: unknown) => {
      this.#logger.log('warn', 'could not report the failure to the caller', { taskId: task.id, ...errorMeta(error) });
    });
  }

  async #deadLetter(delivery: Delivery, reason: DeadLetterReason, id: string | null): Promise<void> {
    try {
      await this.deps.deadLetters.send(delivery, reason);
      delivery.ack();
      this.#emit('message:dead-lettered', { queue: delivery.queue, reason: reason.message, code: reason.code, id });
    } catch (error) {
      this.#logger.log('error', 'could not dead-letter a message; it goes back to the queue', { ...reason, ...errorMeta(error) });
      this.#requeueLater(delivery);
    }
  }

  /**
   * An application listener that throws must not fail the delivery: its message may already be
   * acknowledged, and settling it again is a 406 that closes the channel under every other task.
   */
  #emit<E extends keyof WorkerEvents & string>(event: E, ...args: WorkerEvents[E]): void {
    try {
      this.deps.emit(event, ...args);
    } catch (error) {
      this.#logger.log('error', `a '${event}' event listener threw`, errorMeta(error));
    }
  }

  /** A pause first, so a broker that refuses publishes does not turn into a hot redelivery loop. */
  #requeueLater(delivery: Delivery): void {
    setTimeout(() => delivery.requeue(), REQUEUE_DELAY_MS).unref();
  }
}
