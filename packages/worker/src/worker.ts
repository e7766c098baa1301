import { TypedEmitter, errorMeta, redactUrl, type ResultWriter } from '@celeriac/core';
import {
  AmqpConnection,
  ConfirmPublisher,
  QueueConsumer,
  RpcResultWriter,
  deadLetterQueue,
  type Delivery,
} from '@celeriac/amqp';
import type { DeliveryProcessor } from './delivery-processor.js';
import { buildPipeline, safeEmit } from './pipeline.js';
import { WorkerControl } from './control/worker-control.js';
import { startSharedTokens } from './gates/shared-tokens.js';
import { startEvents, type WorkerEventsRuntime } from './events/start-events.js';
import { LoopWatchdog, blockReport, type LoopBlock, type LoopDelay } from './execution/loop-watchdog.js';
import { Pool } from './execution/pool.js';
import type { ConsumerTimeoutGuard } from './settle/consumer-timeout.js';
import { brokerLeases, type OpenLease } from './settle/leases.js';
import type { EmitWorkerEvent, WorkerEvents } from './worker-events.js';
import { closeRuntime, openStoredResults, statusWatcher, type Runtime } from './worker-runtime.js';
import { compileWorkerOptions, type CompiledWorkerOptions, type WorkerOptions } from './worker-options.js';
import type { TaskAbort } from './execution/task-abort.js';

/** After aborting tasks at the shutdown timeout, how long they get to hand their messages back. */
const ABANDON_GRACE_MS = 2000;

export type WorkerState = 'INITIALIZED' | 'STARTING' | 'RUNNING' | 'STOPPING' | 'STOPPED' | 'FAILED';

export interface StopOptions {
  /** After this long, running tasks are aborted and unfinished messages go back to the queue. @default the worker's shutdownTimeoutMs (30 s) */
  timeoutMs?: number;
}

/**
 * Consumes task queues and runs registered tasks, at most `concurrency` at a time. It consumes
 * on one connection and publishes results and dead letters on another, so a broker that blocks
 * publishers cannot stall acknowledgements.
 *
 * ```ts
 * const worker = new Worker({ brokerUrl, tasks, queues: ['celery'], concurrency: 16 });
 * await worker.start();
 * await worker.stop(); // lets running tasks finish
 * ```
 */
export class Worker extends TypedEmitter<WorkerEvents> {
  readonly options: CompiledWorkerOptions;
  readonly #inFlight = new Set<Promise<void>>();
  readonly #running = new Set<Pick<TaskAbort, 'abort'>>();
  /** What the remote control reads and changes (revocations, held tasks, slots, time limits). */
  readonly #control: WorkerControl;
  /** Where handlers run: the event loop, or the threads or processes of a child pool. */
  readonly #pool: Pool;
  /** Notices what holds the event loop that carries heartbeats and acks. */
  readonly #watchdog: LoopWatchdog;
  /** Hands deliveries over before the broker's consumer timeout; null when there is none. */
  #guard: ConsumerTimeoutGuard | null = null;
  #state: WorkerState = 'INITIALIZED';
  #runtime: Runtime | null = null;
  #starting: Promise<void> | null = null;
  #stopping: Promise<void> | null = null;

  constructor(options: WorkerOptions) {
    super();
    this.options = compileWorkerOptions(options);
    this.#pool = new Pool(this.options, this.#emitter());
    this.#control = new WorkerControl(this.options, this.#pool, () => void this.stop());
    this.#watchdog = new LoopWatchdog({
      suspects: () => this.#pool.inline.takeSuspects(),
      onBlocked: (block) => this.#reportBlock(block),
    });
  }

  get state(): WorkerState {
    return this.#state;
  }

  /** Tasks received and not yet acknowledged. */
  get activeCount(): number {
    return this.#inFlight.size;
  }

  /** Tasks whose handler is running now (the rest of activeCount waits in the prefetch). */
  get runningCount(): number {
    return this.#running.size;
  }

  /** Tasks that may run at once now: the concurrency, as pool_grow, pool_shrink and the autoscaler left it. */
  get concurrency(): number {
    return this.#control.concurrency.size;
  }

  /** How late the event loop ran over the last 15-30 s (the loop watchdog's figures, for metrics). */
  get loopDelay(): LoopDelay {
    return this.#watchdog.delay;
  }

  /** Both broker connections are up, the consumers set up on them (what a readiness probe asks). */
  get connected(): boolean {
    const runtime = this.#runtime;
    return runtime !== null && runtime.consuming.connected && runtime.publishing.connected;
  }

  /** Running, connected and consuming: false while starting, reconnecting or stopping. */
  get healthy(): boolean {
    return this.#state === 'RUNNING' && this.connected;
  }

  start(): Promise<void> {
    this.#starting ??= this.#start();
    return this.#starting;
  }

  stop(options: StopOptions = {}): Promise<void> {
    this.#stopping ??= this.#stop(options);
    return this.#stopping;
  }

  async #start(): Promise<void> {
    const { brokerUrl: url, nodeName, logger, queues } = this.options;
    this.#state = 'STARTING';
    logger.log('info', 'worker starting', {
      broker: redactUrl(url),
      queues,
      concurrency: this.options.concurrency,
      tasks: this.options.tasks.names(),
    });
    try {
      this.#runtime = await this.#connect();
    } catch (error) {
      this.#state = 'FAILED';
      logger.log('error', 'worker failed to start', errorMeta(error));
      throw error;
    }
    this.#state = 'RUNNING';
    this.#runtime.events.heartbeat?.start();
    this.#watchdog.start();
    this.#control.autoscaler?.start();
    logger.log('info', 'worker ready', { node: nodeName, taskEvents: this.#control.events.enabled });
    this.emit('worker:ready');
  }

  async #connect(): Promise<Runtime> {
    // The pool first: a child pool whose app module fails to load stops the start here.
    const pool = this.#pool;
    await pool.start();
    return this.#connectWith(pool).catch(async (error: unknown) => {
      await pool.close();
      throw error;
    });
  }

  async #connectWith(pool: Pool): Promise<Runtime> {
    const { logger } = this.options;
    const publishing = await this.#open('publish');
    try {
      const publisher = await ConfirmPublisher.create(publishing, { logger, laneType: this.options.queueType });
      const stored = await openStoredResults(this.options);
      const results: ResultWriter | null =
        this.options.resultBackend === 'rpc' ? new RpcResultWriter(publisher, logger) : stored;
      // On the publishing connection: the refiller's tokens are publishes, and it exists already.
      const sharedTokens = await startSharedTokens(publishing, this.options.tasks, logger);
      const openLease = brokerLeases(publishing, publisher);
      const processor = this.#processor(publisher, results, pool, { stored, sharedTokens, openLease });
      const events = await this.#startEvents(publishing);
      this.#control.beat = () => events.heartbeat?.beat();
      const consuming = await this.#open('consume');
      const consumers = await this.#consumeAll(consuming, processor, publisher).catch(async (error: unknown) => {
        await Promise.all([consuming.close(), stored?.close()]);
        throw error;
      });
      return { consuming, publishing, pool, stored, sharedTokens, events, ...consumers };
    } catch (error) {
      await publishing.close();
      throw error;
    }
  }

  /** One of the worker's two connections, its losses and returns reported as worker events. */
  #open(role: 'publish' | 'consume'): Promise<AmqpConnection> {
    const { brokerUrl: url, brokerTls, declare, nodeName, logger, brokerHeartbeatSeconds } = this.options;
    const tls = brokerTls ?? undefined;
    const watcher = statusWatcher(this.#emitter(), role);
    const name = `${nodeName}:${role}`;
    return AmqpConnection.open({
      ...watcher,
      url,
      tls,
      declare,
      name,
      logger,
      heartbeatSeconds: brokerHeartbeatSeconds,
    });
  }

  #emitter(): EmitWorkerEvent {
    return safeEmit((event, ...args) => this.emit(event, ...args), this.options.logger);
  }

  #startEvents(publishing: AmqpConnection): Promise<WorkerEventsRuntime> {
    const running = () => this.#running.size;
    return startEvents({
      ...this.options,
      clock: this.#control.clock,
      events: this.#control.events,
      publishing,
      on: this.on.bind(this),
      running,
    });
  }

  #processor(
    publisher: ConfirmPublisher,
    results: ResultWriter | null,
    pool: Pool,
    { stored, sharedTokens, openLease }: Pick<Runtime, 'stored' | 'sharedTokens'> & { openLease: OpenLease },
  ): DeliveryProcessor {
    return buildPipeline({
      stored,
      groups: stored,
      sharedTokens,
      openLease,
      onGuard: (guard) => (this.#guard = guard),
      rateLimits: this.#control.rateLimits,
      options: this.options,
      publisher,
      results,
      emit: (event, ...args) => this.emit(event, ...args),
      stopping: () => this.#state === 'STOPPING',
      running: this.#running,
      pool,
      revocations: this.#control.revocations,
      slots: this.#control.slots,
      tracker: this.#control.requests,
      timeLimits: this.#control.timeLimits,
    });
  }

  /** Control (and mingle) first: a revoke sent before the worker consumes applies to its first tasks. */
  async #consumeAll(
    consuming: AmqpConnection,
    processor: DeliveryProcessor,
    publisher: ConfirmPublisher,
  ): Promise<Pick<Runtime, 'consumer' | 'control'>> {
    const control = await this.#control.start(consuming, publisher);
    this.#control.consumer = await this.#consume(consuming, processor);
    return { control, consumer: this.#control.consumer };
  }

  #consume(connection: AmqpConnection, processor: DeliveryProcessor): Promise<QueueConsumer> {
    const { queueSpecs, queueType, prefetch, logger } = this.options;
    return QueueConsumer.start(connection, {
      queues: queueSpecs,
      declareOnly: [deadLetterQueue(queueType)],
      // Delayed tasks (ours and Celery 5.5's) come back to the consumed queues through the lanes.
      delayLanes: queueType,
      prefetch,
      logger,
      onMessage: (delivery) => this.#track(processor, delivery),
    });
  }

  #track(processor: DeliveryProcessor, delivery: Delivery): void {
    const work = processor.process(delivery).catch((error: unknown) => {
      // process() handles every input; reaching this is a bug, and the message is requeued.
      this.options.logger.log('error', 'unexpected error while processing a message', errorMeta(error));
      delivery.requeue();
    });
    this.#inFlight.add(work);
    void work.finally(() => this.#inFlight.delete(work));
  }

  async #stop({ timeoutMs = this.options.shutdownTimeoutMs }: StopOptions): Promise<void> {
    await this.#starting?.catch(() => undefined);
    const runtime = this.#runtime;
    this.#state = 'STOPPING';
    this.options.logger.log('info', 'worker stopping; waiting for running tasks', { active: this.#inFlight.size });
    await runtime?.consumer.cancel();
    if (!(await this.#drain(timeoutMs))) {
      this.#abandon();
      // Aborted tasks hand their messages back while the channels are still open.
      await this.#drain(ABANDON_GRACE_MS);
    }
    this.#control.autoscaler?.stop();
    this.#guard?.stop();
    if (runtime) await closeRuntime(runtime);
    this.#watchdog.stop();
    this.#state = 'STOPPED';
    this.options.logger.log('info', 'worker stopped');
    this.emit('worker:stopped');
  }

  /**
   * One error per block: the handler when known (with its task id and name), how long, and the
   * pool to use instead; the event lets metrics count it. A redelivery the lost connection may
   * cause is answered here without running again or counting a delivery (FinishedOutcomes).
   */
  #reportBlock(block: LoopBlock): void {
    const { blockedMs, culprit } = block;
    const logger = culprit?.logger ?? this.options.logger;
    logger.log('error', blockReport(block), { blockedMs, pool: culprit ? 'inline' : this.options.pool });
    if (culprit) {
      const { id, name } = culprit.task;
      this.#emitter()('worker:loop-blocked', { id, name, queue: culprit.delivery.queue, blockedMs });
    }
  }

  /** Waits for in-flight tasks; false if the timeout came first. */
  async #drain(timeoutMs: number | undefined): Promise<boolean> {
    const drained = (async () => {
      while (this.#inFlight.size > 0) await Promise.allSettled([...this.#inFlight]);
      return true;
    })();
    // setTimeout fires at once for Infinity: "wait for ever" must not arm a timer.
    if (timeoutMs === undefined || timeoutMs === Number.POSITIVE_INFINITY) return drained;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)));
    const result = await Promise.race([drained, timedOut]);
    clearTimeout(timer);
    return result;
  }

  /** Gives up on running tasks: their signals fire, and closing the channel requeues their messages. */
  #abandon(): void {
    this.options.logger.log('warn', 'shutdown timeout: aborting running tasks; their messages go back to the queue', {
      active: this.#inFlight.size,
    });
    for (const controller of this.#running) controller.abort(new Error('worker shutdown timeout'));
  }
}
