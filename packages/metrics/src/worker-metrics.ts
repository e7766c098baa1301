import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** A task's labels. `task` is bounded by the caller (see WorkerMetricsOptions.knownTask). */
export interface TaskLabels {
  name: string;
  queue: string;
}

/** What the gauges read at scrape time. */
export interface WorkerGauges {
  /** Handlers running now. */
  running: number;
  /** Messages received and not yet settled (running or waiting for a slot or a rate limit). */
  held: number;
  /** Both broker connections up and consuming. */
  connected: boolean;
  /** Tasks that may run at once now (pool_grow, pool_shrink and autoscale change it). @default not exported */
  concurrency?: number;
  /**
   * How late the worker's event loop ran over the last 15-30 s (its loop watchdog): the loop
   * carries heartbeats and acks, so a handler that blocks it shows here. @default not exported
   */
  loopDelay?: { p99Ms: number; maxMs: number };
}

export interface WorkerMetricsOptions {
  registry: Registry;
  gauges: () => WorkerGauges;
  /**
   * Whether a dead letter's task name may be a label: a hostile producer can send any name, and
   * every distinct label value is a series kept for ever. Others are counted as `unregistered`.
   */
  knownTask: (name: string) => boolean;
}

/** Runtime buckets in seconds, from a no-op (1 ms) to a long batch job (10 min). */
const RUNTIME_BUCKETS = [0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 600];

/**
 * A worker's Prometheus metrics. Counters are fed by the worker's typed events (the CLI wires
 * them); gauges are read from the worker when Prometheus scrapes, so they are never stale.
 */
export class WorkerMetrics {
  readonly #tasks: Counter<'task' | 'queue' | 'outcome'>;
  readonly #runtime: Histogram<'task' | 'queue'>;
  readonly #deadLettered: Counter<'task' | 'queue' | 'code'>;
  readonly #reconnects: Counter<'connection'>;
  readonly #blocked: Counter<'task'>;
  readonly #recycled: Counter<'reason'>;

  constructor(private readonly options: WorkerMetricsOptions) {
    const registers = [options.registry];
    this.#tasks = new Counter({
      name: 'celeriac_worker_tasks_total',
      help: 'Tasks by outcome: received (taken by this worker), started, succeeded, failed, retried, revoked (discarded before running or terminated)',
      labelNames: ['task', 'queue', 'outcome'],
      registers,
    });
    this.#runtime = new Histogram({
      name: 'celeriac_worker_task_runtime_seconds',
      help: 'Handler runtime of finished tasks (succeeded, failed or retried)',
      labelNames: ['task', 'queue'],
      buckets: RUNTIME_BUCKETS,
      registers,
    });
    this.#deadLettered = new Counter({
      name: 'celeriac_worker_dead_lettered_total',
      help: 'Messages moved to celeriac.dead, by task (unregistered for names this worker does not run), queue and code',
      labelNames: ['task', 'queue', 'code'],
      registers,
    });
    this.#reconnects = new Counter({
      name: 'celeriac_worker_broker_reconnects_total',
      help: 'Broker connections lost and reconnected, by connection (consume, publish)',
      labelNames: ['connection'],
      registers,
    });
    this.#blocked = new Counter({
      name: 'celeriac_worker_loop_blocked_total',
      help: 'Inline handlers that held the event loop for a second or more',
      labelNames: ['task'],
      registers,
    });
    this.#recycled = new Counter({
      name: 'celeriac_worker_pool_recycled_total',
      help: 'Pool threads or processes replaced after a task, by reason (max-tasks-per-child, max-memory-per-child)',
      labelNames: ['reason'],
      registers,
    });
    this.#gauges(registers);
  }

  /** Passed the worker's gates: Celery's task-received. */
  received(task: TaskLabels): void {
    this.#count(task, 'received');
  }

  started(task: TaskLabels): void {
    this.#count(task, 'started');
  }

  succeeded(task: TaskLabels & { runtimeMs: number }): void {
    this.#finished(task, 'succeeded');
  }

  failed(task: TaskLabels & { runtimeMs: number }): void {
    this.#finished(task, 'failed');
  }

  retried(task: TaskLabels & { runtimeMs: number }): void {
    this.#finished(task, 'retried');
  }

  /** A task revoked before the gates let it through was received all the same. */
  revoked(task: TaskLabels & { reserved: boolean }): void {
    if (!task.reserved) this.#count(task, 'received');
    this.#count(task, 'revoked');
  }

  deadLettered(info: { task: string | null; queue: string; code: string }): void {
    const task = info.task !== null && this.options.knownTask(info.task) ? info.task : 'unregistered';
    this.#deadLettered.inc({ task, queue: info.queue, code: info.code });
  }

  reconnected(connection: string): void {
    this.#reconnects.inc({ connection });
  }

  loopBlocked(task: TaskLabels): void {
    this.#blocked.inc({ task: task.name });
  }

  childRecycled(info: { reason: string }): void {
    this.#recycled.inc({ reason: info.reason });
  }

  #finished(task: TaskLabels & { runtimeMs: number }, outcome: string): void {
    this.#count(task, outcome);
    this.#runtime.observe({ task: task.name, queue: task.queue }, task.runtimeMs / 1000);
  }

  #count(task: TaskLabels, outcome: string): void {
    this.#tasks.inc({ task: task.name, queue: task.queue, outcome });
  }

  #gauges(registers: Registry[]): void {
    const read = this.options.gauges;
    gauge(registers, 'celeriac_worker_tasks_running', 'Handlers running now', () => read().running);
    gauge(
      registers,
      'celeriac_worker_prefetch_in_use',
      'Messages held unacknowledged: running, or waiting for a slot or a rate limit',
      () => read().held,
    );
    gauge(registers, 'celeriac_worker_broker_connected', '1 while both broker connections are up and consuming', () =>
      read().connected ? 1 : 0,
    );
    const { concurrency, loopDelay } = read();
    if (concurrency !== undefined)
      gauge(registers, 'celeriac_worker_concurrency', 'Tasks that may run at once now (autoscale moves it)', () => {
        return read().concurrency ?? 0;
      });
    if (loopDelay === undefined) return;
    const delay = () => read().loopDelay ?? { p99Ms: 0, maxMs: 0 };
    gauge(
      registers,
      'celeriac_worker_event_loop_delay_p99_seconds',
      "99th percentile of the delay of the worker's event loop (heartbeats, acks) over the last 15-30 s",
      () => delay().p99Ms / 1000,
    );
    gauge(
      registers,
      'celeriac_worker_event_loop_delay_max_seconds',
      "Longest delay of the worker's event loop over the last 15-30 s: a handler computing on it shows here",
      () => delay().maxMs / 1000,
    );
  }
}

/** A gauge whose value is read at scrape time. */
export function gauge(registers: Registry[], name: string, help: string, value: () => number): Gauge {
  return new Gauge({
    name,
    help,
    registers,
    collect() {
      this.set(value());
    },
  });
}
