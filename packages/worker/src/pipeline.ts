/**
 * The map of a message's life in the worker, and the one place that assembles it. Each stage of
 * that life is a folder of `src/`:
 *
 * 1. delivery-processor.ts decodes the message and looks its task up (task-registry.ts); what
 *    cannot run is rejected: the caller told, the message dead-lettered (settle/rejector.ts).
 * 2. gates/ decide, in order, whether the task runs now: finished here already? delivered too
 *    often? revoked? succeeded already? expired? not due yet? A gate may settle the message
 *    itself (answer it, dead-letter it, move it to the delay lanes). Last, the rate limits hold
 *    a due task until it may start: the worker's own bucket (rate-limit-gate.ts, Celery's
 *    rate_limit, changed by `control rate_limit`), then the tokens shared by every worker of
 *    the task through the broker (shared-tokens.ts, globalRateLimit). A waiting task keeps its
 *    message unacked in the prefetch but holds no slot, so other tasks run meanwhile.
 * 3. execution/ gives it a slot (slots.ts), asks the revoke and expiry gates again, then runs the
 *    handler in the pool (pool.ts: on the event loop, or in a child, a thread or a process, of
 *    children/), inside the time limits, inside the revokes that can terminate it. The run ends
 *    as a TaskOutcome.
 * 4. retry/ republishes a task whose handler asked to retry, through the delay lanes.
 * 5. canvas/ sends what the message's embed asks for once the task ended (Celery's tracer): on
 *    success its callbacks (`link`) and its chain's next step, before the result is stored; on
 *    failure its errbacks (`link_error`), with the failed task's id.
 * 6. settle/ reports the outcome, then acks the message; whatever fails on the way sends the
 *    message back to the queue after a pause.
 *
 * Around all of it, from arrival to ack, settle/consumer-timeout.ts watches the broker's
 * consumer timeout: a task still waiting at four fifths of it goes back to its queue, a task
 * still running moves to a lease, so the broker never closes the channel under other tasks.
 *
 * Beside the line, control/ answers pidbox commands, is told each job's stage (task-requests.ts)
 * for the inspect commands, and fills the revocations that the revoked
 * gate and the terminating executor read.
 */
import { safeEmitter, type Logger, type ResultReader, type ResultWriter } from '@celeriac/core';
import { DEFAULT_QUEUE, type ConfirmPublisher } from '@celeriac/amqp';
import { BuiltinsInline } from './canvas/builtins-inline.js';
import { builtinTasks } from './canvas/builtins.js';
import { ChordJoin, type ChordStore } from './canvas/chord-join.js';
import { WorkflowSender } from './canvas/workflow-sender.js';
import { WorkflowSteps, type Workflow } from './canvas/workflow-steps.js';
import type { TaskRegistry } from './task-registry.js';
import type { Revocations } from './control/revocations.js';
import type { JobTracker } from './control/task-requests.js';
import type { TimeLimitOverrides } from './execution/time-limit-overrides.js';
import { DeliveryProcessor } from './delivery-processor.js';
import type { Job } from './job.js';
import { Slots } from './execution/slots.js';
import type { TaskAbort } from './execution/task-abort.js';
import type { TaskExecutor } from './execution/task-executor.js';
import { TerminableExecutor } from './execution/terminable-executor.js';
import { TimeLimitExecutor } from './execution/time-limit-executor.js';
import { DeliveryCountGate, type HandBack } from './gates/delivery-count-gate.js';
import { DuplicateGate } from './gates/duplicate-gate.js';
import { EtaGate } from './gates/eta-gate.js';
import { ExpiryGate } from './gates/expiry-gate.js';
import { FinishedOutcomes } from './gates/finished-outcomes.js';
import type { Gate } from './gates/gate.js';
import { RateLimitGate, LocalTokens } from './gates/rate-limit-gate.js';
import type { RateLimits } from './gates/rate-limits.js';
import { RevokedGate } from './gates/revoked-gate.js';
import { SharedTokens, type TokenSource } from './gates/shared-tokens.js';
import { RetryPublisher } from './retry/retry-publisher.js';
import { ConsumerTimeoutGuard } from './settle/consumer-timeout.js';
import type { OpenLease } from './settle/leases.js';
import { DeadLetters } from './settle/dead-letters.js';
import { Rejector } from './settle/rejector.js';
import { TaskReporter } from './settle/task-reporter.js';
import type { CompiledWorkerOptions } from './worker-options.js';
import type { EmitWorkerEvent, WorkerEvents } from './worker-events.js';

export interface PipelineParts {
  options: CompiledWorkerOptions;
  publisher: ConfirmPublisher;
  results: ResultWriter | null;
  emit: EmitWorkerEvent;
  stopping: () => boolean;
  running: Set<Pick<TaskAbort, 'abort'>>;
  /** Where handlers run (execution/pool.ts): the event loop, or a child pool (threads, processes). */
  pool: TaskExecutor & { canKill(job: Job): boolean };
  /** Revoked ids and running tasks, shared with the control consumer that fills it. */
  revocations: Revocations;
  /** The result backend, when it can be read by task id (MongoDB): enables duplicate suppression. */
  stored?: Pick<ResultReader, 'latest'> | null;
  /** The same backend's groups (MongoDB): chords joined by a counter, and Celery's built-in tasks. */
  groups?: ChordStore | null;
  /** The concurrency slots; the worker keeps them to resize them (`pool_grow`). @default new Slots(concurrency) */
  slots?: Slots;
  /** Told each job's stage, for the inspect commands. */
  tracker?: JobTracker;
  /** Time limits set at run time (`control time_limit`). */
  timeLimits?: TimeLimitOverrides;
  /** Per-task buckets of this worker, shared with the control command that changes them. */
  rateLimits: RateLimits;
  /** Tokens of the tasks with a globalRateLimit, by task name. */
  sharedTokens: ReadonlyMap<string, TokenSource>;
  /** Opens leases for tasks running near the broker's consumer timeout; none: no handover. */
  openLease?: OpenLease;
  /** Told the guard, so that the worker can stop its timers. */
  onGuard?: (guard: ConsumerTimeoutGuard) => void;
}

/** The gates of one pipeline, and the two the processor talks to directly. */
interface Gates {
  /** Asked in order before a task takes a slot. */
  before: Gate[];
  /** Asked again once the slot is free, right before running. */
  recheck: Gate[];
  finished: FinishedOutcomes;
  deliveries: DeliveryCountGate;
}

/**
 * Assembles what happens to a delivery: the gates in the order they apply, the executor, the
 * reporting. The one place to look for "what does the worker do with a message".
 */
export function buildPipeline(parts: PipelineParts): DeliveryProcessor {
  const { options, publisher, stopping, running } = parts;
  const emit = safeEmit(parts.emit, options.logger);
  const reporter = new TaskReporter(parts.results);
  const deadLetters = new DeadLetters(publisher, options.nodeName, options.logger);
  const rejector = new Rejector(deadLetters, reporter, emit, options.logger);
  const { workflow, builtins } = buildWorkflow(parts);
  const steps = new WorkflowSteps(workflow);
  const gates = buildGates(parts, reporter, rejector, emit, (job) => Promise.resolve(steps.joinChord(job)));
  const retries = new RetryPublisher(publisher, options.nodeName, options.queueOptions, options.queueType);
  const slots = parts.slots ?? new Slots(options.concurrency);
  const handBack = (job: Job, how: HandBack) => gates.deliveries.handBack(job, how);
  const { before, recheck, finished } = gates;
  const executor = buildExecutor(parts, builtins);
  const guard = buildGuard(parts, handBack);
  if (guard) parts.onGuard?.(guard);
  return new DeliveryProcessor({
    options,
    reporter,
    rejector,
    gates: before,
    recheck,
    retries,
    workflow,
    steps,
    builtins,
    finished,
    executor,
    slots,
    emit,
    stopping,
    handBack,
    running,
    ...(parts.tracker ? { tracker: parts.tracker } : {}),
    ...(guard ? { guard } : {}),
  });
}

/**
 * Around the whole life: a delivery still held near the broker's consumer timeout is handed
 * over, back to its queue if it waits, to a lease if it runs, before the broker closes the
 * channel under every other task on it.
 */
function buildGuard(
  parts: PipelineParts,
  handBack: (job: Job, how: HandBack) => Promise<void>,
): ConsumerTimeoutGuard | null {
  const { consumerTimeoutMs: timeoutMs, logger } = parts.options;
  if (timeoutMs === null || !parts.openLease) return null;
  return new ConsumerTimeoutGuard({ timeoutMs, openLease: parts.openLease, handBack, logger });
}

/** A chord header task settled again on redelivery still counts itself (canvas/workflow-steps.ts). */
type JoinChord = (job: Job) => Promise<boolean>;

function buildGates(
  parts: PipelineParts,
  reporter: TaskReporter,
  rejector: Rejector,
  emit: EmitWorkerEvent,
  joinChord: JoinChord,
): Gates {
  const { options, publisher } = parts;
  const finished = new FinishedOutcomes(reporter, Date.now, joinChord);
  const quorum = new Set(options.queueSpecs.filter((spec) => spec.type === 'quorum').map((spec) => spec.name));
  const deliveries = new DeliveryCountGate(
    options.maxDeliveries,
    publisher,
    rejector,
    reporter,
    (queue) => quorum.has(queue),
    (job) => finished.uncounted(job),
  );
  const revoked = new RevokedGate(parts.revocations.ids, reporter, emit);
  const expiry = new ExpiryGate(reporter, Date.now, emit);
  const before: Gate[] = [
    // First: a task that already finished (or still runs) here, its ack lost with its channel, is
    // answered, not run or counted again; one whose channel closed before it started is not counted.
    finished,
    // Then: a message that keeps killing workers must be stopped before anything else runs it.
    deliveries,
    revoked,
    // A task whose id already SUCCEEDED (redelivery, duplicate fire) is acked, not run twice.
    ...(parts.stored ? [new DuplicateGate(parts.stored, joinChord)] : []),
    expiry,
    // Only a task that would run now may wait (under a second) in memory.
    new EtaGate(publisher, Date.now, parts.tracker),
    // Last: a due task waits for its turn under the rate limits, holding no slot (as Celery's consumer).
    new RateLimitGate(new LocalTokens(parts.rateLimits), parts.stopping),
    new RateLimitGate(new SharedTokens(parts.sharedTokens), parts.stopping),
  ];
  // Celery checks again right before running: a task can be revoked or expire while it waits for a slot.
  return { before, recheck: [revoked, expiry], finished, deliveries };
}

/** What a finished task's embed asks for; with a group store also the chord joins and Celery's built-ins. */
function buildWorkflow(parts: PipelineParts): { workflow: Workflow; builtins: TaskRegistry } {
  const { options } = parts;
  const sender = new WorkflowSender(parts.publisher, {
    origin: options.nodeName,
    defaultQueue: DEFAULT_QUEUE,
    queueOptions: options.queueOptions,
    queueType: options.queueType,
    groups: parts.groups ?? null,
  });
  if (!parts.groups) return { workflow: sender, builtins: builtinTasks(options.tasks, null) };
  const join = new ChordJoin(parts.groups, sender);
  const workflow: Workflow = {
    afterSuccess: (task, result) => sender.afterSuccess(task, result),
    afterFailure: (task) => sender.afterFailure(task),
    afterStored: (task) => join.partDone(task),
  };
  return { workflow, builtins: builtinTasks(options.tasks, join) };
}

/** The pool (the built-ins inline), inside the time limits, inside the revokes that can terminate a run. */
function buildExecutor(parts: PipelineParts, builtins: TaskRegistry): TaskExecutor {
  const { options, revocations } = parts;
  const pool = new BuiltinsInline(parts.pool, builtins, options.nodeName);
  // A built-in runs on the event loop, where nothing can kill it, whatever the pool.
  const canKill = (job: Job) => builtins.get(job.task.name) !== job.registered && parts.pool.canKill(job);
  const limited = new TimeLimitExecutor(pool, options.timeLimits, canKill, parts.timeLimits);
  // Outermost: a terminated task is REVOKED whatever the limits made of it.
  return new TerminableExecutor(revocations, limited);
}

/** The worker's events, with a throwing application listener logged instead (core's safeEmitter). */
export function safeEmit(emit: EmitWorkerEvent, logger: Logger): EmitWorkerEvent {
  return safeEmitter<WorkerEvents>(emit, logger);
}
