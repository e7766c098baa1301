import { TaskState, decodeTask, type TaskMessage } from '@celeriac/protocol';
import { errorMeta, type Logger } from '@celeriac/core';
import type { Delivery } from '@celeriac/amqp';
import type { Slots } from './execution/slots.js';
import type { TaskExecutor } from './execution/task-executor.js';
import type { TaskOutcome } from './execution/task-outcome.js';
import { TaskAbort } from './execution/task-abort.js';
import { TaskRevokedError } from './execution/task-revoked-error.js';
import type { HandBack } from './gates/delivery-count-gate.js';
import type { FinishedOutcomes } from './gates/finished-outcomes.js';
import type { Gate } from './gates/gate.js';
import type { Job } from './job.js';
import type { JobTracker } from './control/task-requests.js';
import type { RetryPublisher } from './retry/retry-publisher.js';
import { WorkflowSteps, type Workflow } from './canvas/workflow-steps.js';
import type { TaskRegistry } from './task-registry.js';
import { acksOnTheWire } from './settle/acks-on-the-wire.js';
import type { ConsumerTimeoutGuard } from './settle/consumer-timeout.js';
import type { Rejector } from './settle/rejector.js';
import { requeueLater } from './settle/requeue-later.js';
import { settleOnce } from './settle/settle-once.js';
import type { TaskReporter } from './settle/task-reporter.js';
import type { CompiledWorkerOptions } from './worker-options.js';
import type { EmitWorkerEvent, TaskEventInfo } from './worker-events.js';

export interface ProcessorDeps {
  options: CompiledWorkerOptions;
  reporter: TaskReporter;
  rejector: Rejector;
  /** Checks before a task takes a slot, in order (see Gate). */
  gates: readonly Gate[];
  /** Gates asked again once the slot is free, right before running: the wait may have been long (expiry). */
  recheck?: readonly Gate[];
  /** Keeps the outcome of a task whose channel closed before its ack, for its redelivery. */
  finished: Pick<FinishedOutcomes, 'remember' | 'begin' | 'unstarted'>;
  /** Republishes a task whose handler asked to retry. */
  retries: Pick<RetryPublisher, 'resend'>;
  /** Sends what a finished task's embed asks for: callbacks, the chain's next step, errbacks. @default none */
  workflow?: Workflow;
  /** The workflow steps, when the pipeline shares them with the gates. @default new WorkflowSteps(workflow) */
  steps?: WorkflowSteps;
  /** Celery's built-in tasks (canvas/builtins.ts), looked up after the application's. @default none */
  builtins?: Pick<TaskRegistry, 'get'>;
  executor: TaskExecutor;
  slots: Slots;
  emit: EmitWorkerEvent;
  /** True once the worker is stopping: tasks still waiting for a slot go back to the queue. */
  stopping: () => boolean;
  /** Returns a task the worker chose not to finish to its queue without counting a delivery. */
  handBack: (job: Job, how: HandBack) => Promise<void>;
  /** The abort switch of each running task, pulled when the worker gives up on it. */
  running: Set<Pick<TaskAbort, 'abort'>>;
  /** Told each job's stage, for the inspect commands. @default none */
  tracker?: JobTracker;
  /** Hands a delivery held near the broker's consumer timeout over (settle/consumer-timeout.ts). @default none */
  guard?: Pick<ConsumerTimeoutGuard, 'hold' | 'started' | 'released' | 'forget'>;
}

const NO_TRACKER: JobTracker = {
  reserve: () => undefined,
  schedule: () => undefined,
  start: () => undefined,
  forget: () => undefined,
};

/**
 * Takes one delivery from the broker to its end: decode, look up, pass the gates, run, report,
 * acknowledge. The state is reported before the ack (a crash in between re-runs the task, never
 * loses it), and no input can make this throw: whatever cannot run is reported and dead-lettered.
 */
export class DeliveryProcessor {
  readonly #logger: Logger;
  readonly #steps: WorkflowSteps;

  constructor(private readonly deps: ProcessorDeps) {
    this.#logger = deps.options.logger;
    this.#steps = deps.steps ?? new WorkflowSteps(deps.workflow);
  }

  async process(received: Delivery): Promise<void> {
    const delivery = settleOnce(received, this.#logger);
    let task: TaskMessage;
    try {
      task = decodeTask(delivery.message, { maxBodyBytes: this.deps.options.maxBodyBytes });
    } catch (error) {
      return this.deps.rejector.undecodable(delivery, error);
    }
    const registered = this.deps.options.tasks.get(task.name) ?? this.deps.builtins?.get(task.name);
    if (!registered) return this.deps.rejector.notRegistered(delivery, task);
    const made: Job = {
      delivery,
      task,
      registered,
      logger: this.#logger.child({ taskId: task.id, task: task.name }),
      abort: new TaskAbort(),
    };
    // From here on its delivery may outlive the broker's consumer timeout (a lease).
    const job = this.deps.guard ? this.deps.guard.hold(made) : made;
    const tracker = this.deps.tracker ?? NO_TRACKER;
    tracker.reserve(job);
    try {
      const { gates } = this.deps;
      // Indexed: an iterator's result objects, a few a gate, showed in a drain's garbage.
      for (let i = 0; i < gates.length; i++) {
        // Awaited only when the gate must wait: an await of a plain answer still costs a microtask turn.
        const verdict = gates[i]!.admit(job);
        if ((typeof verdict === 'string' ? verdict : await verdict) === 'settled') return;
      }
      job.reserved = true;
      this.deps.emit('task:reserved', { id: task.id, name: task.name, queue: delivery.queue, task });
      await this.deps.slots.run(() => this.#execute(job));
    } finally {
      tracker.forget(job);
      this.deps.guard?.forget(job);
    }
  }

  async #execute(job: Job): Promise<void> {
    const { delivery, task, logger } = job;
    // Handed back near the broker's consumer timeout while it waited: its copy runs instead.
    if (this.deps.guard?.released(job))
      return logger.log('info', 'not started: it went back to its queue while it waited here');
    // Its channel closed while it waited (a lost connection): the broker has put it back already,
    // and that redelivery is not counted against it here (it never ran).
    if (delivery.orphaned()) {
      this.deps.finished.unstarted(job);
      return logger.log('info', 'not started: its channel closed while it waited; the broker delivers it again');
    }
    if (this.deps.stopping()) return this.#handBack(job, { started: false });
    const recheck = this.deps.recheck ?? [];
    for (let i = 0; i < recheck.length; i++) {
      const verdict = recheck[i]!.admit(job);
      if ((typeof verdict === 'string' ? verdict : await verdict) === 'settled') return;
    }
    // Celery's early ack: just before the handler starts, after every gate and the slot wait.
    if (!job.registered.options.acksLate) {
      delivery.ack();
      await acksOnTheWire();
    }
    const info = { id: task.id, name: task.name, queue: delivery.queue };
    logger.log('info', 'task received', {
      queue: delivery.queue,
      retries: task.retries,
      redelivered: delivery.message.fields.redelivered,
    });
    this.deps.emit('task:received', info);
    // A redelivery of this task (its channel closed under it) waits for this run, not beside it.
    const settled = this.deps.finished.begin(job);
    try {
      const started = Date.now();
      const outcome = await this.#run(job);
      // Given up at shutdown: the message goes back to the queue, so the caller must not hear a FAILURE.
      if (!outcome) return await this.#handBack(job, { started: true });
      const runtimeMs = Date.now() - started;
      if (!(await this.#settle(job, outcome))) return;
      this.#announce(job, info, outcome, runtimeMs);
    } finally {
      settled();
    }
  }

  /** Logs the outcome and emits its worker event. */
  #announce(job: Job, info: TaskEventInfo, outcome: TaskOutcome, runtimeMs: number): void {
    const { logger, task, delivery } = job;
    if (outcome.state === TaskState.SUCCESS) {
      logger.log('info', 'task succeeded', { runtimeMs });
      // Fields written out: a spread copies through a slower path, and this runs for every task.
      this.deps.emit('task:succeeded', {
        id: info.id,
        name: info.name,
        queue: info.queue,
        runtimeMs,
        result: outcome.result,
      });
    } else if (outcome.state === TaskState.RETRY) {
      logger.log('info', 'task will retry', {
        runtimeMs,
        retries: task.retries + 1,
        delayMs: outcome.retry.delayMs,
        queue: outcome.retry.queue ?? delivery.queue,
        ...errorMeta(outcome.error),
      });
      this.deps.emit('task:retried', { ...info, runtimeMs, error: outcome.error, delayMs: outcome.retry.delayMs });
    } else if (outcome.state === TaskState.REVOKED) {
      logger.log('warn', 'task revoked while it ran', { runtimeMs });
      this.deps.emit('task:revoked', { ...info, terminated: true, expired: false, reserved: true });
    } else {
      logger.log('warn', 'task failed', { runtimeMs, ...errorMeta(outcome.error) });
      this.deps.emit('task:failed', { ...info, runtimeMs, error: outcome.error });
    }
  }

  /** A copy goes back to the queue, unless the broker requeued the original already (its channel closed). */
  async #handBack(job: Job, how: { started: boolean }): Promise<void> {
    if (job.delivery.orphaned()) return;
    await this.deps.handBack(job, how);
  }

  /** The handler's outcome, or null when the worker aborted it (shutdown timeout). */
  async #run(job: Job): Promise<TaskOutcome | null> {
    const controller = job.abort;
    this.deps.running.add(controller);
    this.deps.tracker?.start(job);
    this.deps.guard?.started(job);
    try {
      // As Celery's tracer: `track_started and not ignore_result` (an ignored result stores nothing).
      const ignored = job.task.ignoreResult || job.registered.options.ignoreResult;
      if (this.deps.options.trackStarted && !ignored)
        await this.deps.reporter.store(job.task, TaskState.STARTED, {
          pid: process.pid,
          hostname: this.deps.options.nodeName,
        });
      const outcome = await this.deps.executor.execute(job);
      return givenUp(controller) ? null : outcome;
    } finally {
      this.deps.running.delete(controller);
    }
  }

  /**
   * Reports the outcome, republishes a RETRY, acks. False when the message goes back to the queue
   * instead. A finished task whose state could not be reported, or whose channel closed meanwhile
   * (the broker has put it back), is answered with this outcome when its message comes again,
   * instead of running twice (gates/finished-outcomes.ts).
   */
  async #settle(job: Job, outcome: TaskOutcome): Promise<boolean> {
    // As Celery's tracer: the callbacks and the chain's next step go out before the result is stored.
    // Each step answers at once when it has nothing to do; only a promise is awaited (a microtask turn each).
    const next = outcome.state === TaskState.SUCCESS ? this.#steps.sendNext(job, outcome.result) : true;
    if (!(typeof next === 'boolean' ? next : await next)) return false;
    const report = this.#report(job, outcome);
    const reported = typeof report === 'boolean' ? report : await report;
    if (outcome.state === TaskState.FAILURE) await this.#steps.sendErrbacks(job);
    const joined = reported && outcome.state !== TaskState.RETRY ? this.#steps.joinChord(job) : true;
    if (!(typeof joined === 'boolean' ? joined : await joined)) return false;
    const unacked = !reported || job.delivery.orphaned();
    if (unacked && this.deps.finished.remember(job, outcome, reported)) return this.#kept(job, outcome, reported);
    if (!reported) {
      job.logger.log('error', 'the task state was not reported; the task goes back to the queue');
      requeueLater(job.delivery);
      return false;
    }
    if (outcome.state === TaskState.RETRY && !(await this.deps.retries.resend(job, outcome.retry))) return false;
    job.delivery.ack();
    return true;
  }

  #kept(job: Job, outcome: TaskOutcome, reported: boolean): true {
    const why = reported
      ? 'its channel closed before the ack'
      : 'its state could not be reported, so its message goes back to the queue';
    job.logger.log(
      'warn',
      `finished, but ${why}; its next delivery is answered with this outcome instead of running again`,
      { state: outcome.state },
    );
    if (!reported) requeueLater(job.delivery);
    return true;
  }

  /** Stores the outcome (skipped for an ignored SUCCESS); false when the backend could not take it. */
  #report(job: Job, outcome: TaskOutcome): boolean | Promise<boolean> {
    const skip = outcome.state === TaskState.SUCCESS && (job.task.ignoreResult || job.registered.options.ignoreResult);
    return skip || !this.deps.reporter.stores ? true : this.#store(job, outcome);
  }

  async #store(job: Job, outcome: TaskOutcome): Promise<boolean> {
    try {
      await this.deps.reporter.storeOutcome(job.task, outcome);
      return true;
    } catch (error) {
      job.logger.log('error', 'could not report the task state', errorMeta(error));
      return false;
    }
  }
}

/** Aborted by the worker (shutdown timeout), not by a revoke: the message goes back to the queue. */
function givenUp(abort: TaskAbort): boolean {
  return abort.aborted && !(abort.reason instanceof TaskRevokedError);
}
