import { hostname } from 'node:os';
import {
  ConfigurationError,
  DEFAULT_BROKER_URL,
  checkBrokerUrl,
  resultBackendKind,
  silentLogger,
  type BrokerUrls,
  type Logger,
  type ResultBackendKind,
} from '@celeriac/core';
import {
  DEFAULT_QUEUE,
  checkBrokerTls,
  checkDeclare,
  compileQueueType,
  taskQueue,
  type BrokerTlsOptions,
  type DeclareMode,
  type QueueSpec,
  type QueueType,
  type TaskQueueOptions,
} from '@celeriac/amqp';
import { cpuTasks, isTaskRegistry, type TaskRegistry } from './task-registry.js';
import { compileTimeLimits, type TimeLimitsMs } from './execution/time-limits.js';
import {
  consumerTimeout,
  heartbeatSeconds,
  optionalPositiveInteger,
  nonNegativeInteger,
  booleanOption,
  durationMs,
  positiveInteger,
  queueNames,
  resultBackendUrl,
  positiveDuration,
} from './option-checks.js';

export interface WorkerOptions {
  tasks: TaskRegistry;
  /**
   * One broker, or the nodes of a cluster (`'amqp://h1;amqp://h2'` as Celery writes it, or an
   * array): the first that answers is used, and on loss the next. @default 'amqp://guest:guest@localhost:5672//'
   */
  brokerUrl?: BrokerUrls;
  /** TLS for `amqps://` URLs: a private CA, a client certificate, a server name (see BrokerTlsOptions). */
  brokerTls?: BrokerTlsOptions;
  /**
   * False when this component's broker user may not declare queues and exchanges (least
   * privilege): they are only checked, and `celeriac topology apply` declares them. 'auto'
   * declares unless a probe at connect finds the user may not. @default 'auto'
   */
  declare?: DeclareMode;
  /** Queues to consume. @default ['celery'] */
  queues?: string[];
  /** Declaration options per queue name; must match every other declarer of the queue. */
  queueOptions?: Record<string, TaskQueueOptions>;
  /**
   * Type of the queues this worker declares (a queue's own `queueType` wins), of the delay lanes
   * and of `celeriac.dead`, as Celery 5.5's task_default_queue_type. On quorum queues the broker
   * counts deliveries (`x-delivery-count`) for maxDeliveries. @default 'classic'
   */
  queueType?: QueueType;
  /** Tasks running at once. @default 10 */
  concurrency?: number;
  /** Unacknowledged messages per queue = concurrency × this, so the next task is already here. @default 2 */
  prefetchMultiplier?: number;
  /**
   * 'rpc://' to report states to the caller's reply queue, 'mongodb://host/db' to store them in
   * Celery's `celery_taskmeta` (needs @celeriac/mongodb; also suppresses duplicates of tasks that
   * already succeeded), or null to report nothing. @default 'rpc://'
   */
  resultBackend?: string | null;
  /** MongoDB results are removed (TTL index on date_done) this long after they are ready. @default 86 400 000 (a day) */
  resultExpiresMs?: number;
  /** Report STARTED before running a task, like Celery's task_track_started. @default false */
  trackStarted?: boolean;
  /** Bodies larger than this are dead-lettered unread. @default 16 MiB */
  maxBodyBytes?: number;
  /** Node name in logs, results and control replies; must be unique per worker. @default 'celeriac-<pid>@<hostname>' */
  nodeName?: string;
  logger?: Logger;
  /**
   * Deliveries a task may have that end without an acknowledgement (its worker died, or it
   * kept killing workers) before it goes to `celeriac.dead` with code MAX_DELIVERIES. @default 5
   */
  maxDeliveries?: number;
  /**
   * Where handlers run. 'threads': in worker_threads, one task per thread, started as tasks need
   * them up to `concurrency`; 'processes': in forked Node processes, likewise (Celery's prefork:
   * isolated memory, a true resident-memory limit); both keep the worker's event loop, which
   * carries its heartbeats and acks, free while handlers compute, and both need `appModule` (each
   * child imports it). 'inline': on that event loop, for async, I/O-bound handlers (least
   * overhead per task); a handler that computes synchronously there holds heartbeats and acks
   * (the loop watchdog reports it). A task's `cpu` option overrides this per task.
   * @default 'threads' when appModule is given (as `celeriac worker` gives it), else 'inline'
   */
  pool?: WorkerPool;
  /**
   * Path or file URL of the module whose default export (or export `tasks`) is the TaskRegistry;
   * each thread or process of the pool imports it. Needed by pools 'threads' and 'processes' and
   * by tasks registered with `cpu: true`.
   */
  appModule?: string;
  /**
   * Celery's --max-tasks-per-child: a pool thread or process is replaced after this many tasks
   * (after its current one), so a handler that leaks cannot grow it for ever. Needs a child
   * pool. @default null (never)
   */
  maxTasksPerChild?: number | null;
  /**
   * Celery's --max-memory-per-child, in KiB: a pool thread or process that holds more than this
   * after a task is replaced. A process's resident memory; a thread's own V8 heap in use plus its
   * Buffer memory (threads share the process's resident memory, and memory a native addon
   * allocates is not seen: use pool 'processes' for such handlers). @default null (never)
   */
  maxMemoryPerChildKb?: number | null;
  /**
   * Celery's --autoscale: between `min` and `max` tasks at once, following the load (tasks
   * running and waiting for a slot), checked every second; it grows at once and shrinks after
   * `keepaliveMs` without a need for the extra slots. Replaces `concurrency`; the prefetch is
   * `max` × prefetchMultiplier. `control autoscale max min` changes the bounds. @default null (a fixed concurrency)
   */
  autoscale?: AutoscaleOptions | null;
  /**
   * The broker's delivery acknowledgement timeout (RabbitMQ's `consumer_timeout`, 30 min by
   * default): past it the broker closes the consuming channel, with every unacknowledged task on
   * it. A task still running at four fifths of it is handed over to a lease queue of its own
   * (its message acknowledged, a copy held until it finishes, returned to its queue if this
   * worker dies), and a task still waiting then goes back to its queue. Set it to the broker's
   * value; null when the broker has none. @default 1 800 000
   */
  consumerTimeoutMs?: number | null;
  /**
   * The AMQP heartbeat of the worker's connections, in seconds (Celery's broker_heartbeat): a
   * peer that misses two is taken for dead. A `heartbeat=` in the broker URL wins. @default 10
   */
  brokerHeartbeatSeconds?: number;
  /**
   * How long stop() (and SIGTERM in the CLI) lets running tasks finish before their messages go
   * back to the queue. Infinity waits for ever. @default 30 000
   */
  shutdownTimeoutMs?: number;
  /**
   * Worker-wide soft time limit: after this long a task's `ctx.signal` aborts with
   * SoftTimeLimitExceeded. A task's own `softTimeLimitMs` and a message's `timelimit` win. @default none
   */
  softTimeLimitMs?: number | null;
  /**
   * Worker-wide hard time limit: after this long a task FAILs with TimeLimitExceeded and its slot
   * is freed. A task's own `timeLimitMs` and a message's `timelimit` win. @default none
   */
  timeLimitMs?: number | null;
  /**
   * At start, ask the other workers for their revoked task ids and clocks (Celery's mingle), so a
   * revoke sent before a rolling restart still holds. Costs up to a second of start time. @default true
   */
  mingle?: boolean;
  /**
   * Send task events (task-received, task-started, task-succeeded, ...) to `celeryev`, as Celery's
   * `-E` / worker_send_task_events; the enable_events/disable_events commands switch them at run
   * time. @default false
   */
  events?: boolean;
  /**
   * Send worker-online, a worker-heartbeat every 2 s and worker-offline, which make the worker
   * visible to Flower and `celery events`; Celery's `--without-heartbeat` is false. @default true
   */
  heartbeatEvents?: boolean;
}

export type WorkerPool = 'inline' | 'threads' | 'processes';

export interface AutoscaleOptions {
  /** The most tasks at once. */
  max: number;
  /** The fewest slots kept (at least one). @default 1 */
  min?: number;
  /** How long extra slots are kept after the load that needed them is gone. @default 30 000 (Celery's AUTOSCALE_KEEPALIVE) */
  keepaliveMs?: number;
}

export interface CompiledWorkerOptions {
  tasks: TaskRegistry;
  /** One URL, or several joined with `;`. */
  brokerUrl: string;
  brokerTls: BrokerTlsOptions | null;
  declare: DeclareMode;
  queues: string[];
  queueOptions: Record<string, TaskQueueOptions>;
  queueType: QueueType;
  /** The consumed queues' declarations, checked (a priority on a quorum queue is refused here). */
  queueSpecs: QueueSpec[];
  concurrency: number;
  prefetch: number;
  resultBackend: ResultBackendKind;
  /** The configured URL, for backends that need more than the kind (mongodb://…/db); null when disabled. */
  resultBackendUrl: string | null;
  resultExpiresMs: number;
  trackStarted: boolean;
  maxBodyBytes: number;
  nodeName: string;
  logger: Logger;
  maxDeliveries: number;
  pool: WorkerPool;
  appModule: string | null;
  maxTasksPerChild: number | null;
  maxMemoryPerChildKb: number | null;
  autoscale: Required<AutoscaleOptions> | null;
  /** Null: the broker has no consumer timeout; no handover. */
  consumerTimeoutMs: number | null;
  brokerHeartbeatSeconds: number;
  shutdownTimeoutMs: number;
  timeLimits: TimeLimitsMs;
  mingle: boolean;
  events: boolean;
  heartbeatEvents: boolean;
}

export function compileWorkerOptions(options: WorkerOptions): CompiledWorkerOptions {
  if (!isTaskRegistry(options.tasks)) throw new ConfigurationError('tasks must be a TaskRegistry');
  const autoscale = autoscaleOptions(options.autoscale);
  // Autoscaled: the slots start at min and the prefetch is sized for max, as in Celery.
  const concurrency = autoscale ? autoscale.min : positiveInteger(options.concurrency ?? 10, 'concurrency');
  const mostAtOnce = autoscale ? autoscale.max : concurrency;
  return {
    tasks: options.tasks,
    brokerUrl: checkBrokerUrl(options.brokerUrl ?? DEFAULT_BROKER_URL),
    brokerTls: checkBrokerTls(options.brokerTls),
    declare: checkDeclare(options.declare),
    ...queueDeclarations(options),
    concurrency,
    prefetch: Math.min(65_535, mostAtOnce * positiveInteger(options.prefetchMultiplier ?? 2, 'prefetchMultiplier')),
    resultBackend: resultBackendKind(options.resultBackend),
    resultBackendUrl: resultBackendUrl(options.resultBackend),
    resultExpiresMs: positiveDuration(options.resultExpiresMs ?? 86_400_000, 'resultExpiresMs'),
    trackStarted: options.trackStarted ?? false,
    maxBodyBytes: positiveInteger(options.maxBodyBytes ?? 16 * 1024 * 1024, 'maxBodyBytes'),
    nodeName: options.nodeName ?? `celeriac-${process.pid}@${hostname()}`,
    logger: options.logger ?? silentLogger,
    maxDeliveries: positiveInteger(options.maxDeliveries ?? 5, 'maxDeliveries'),
    ...poolOptions(options),
    autoscale,
    consumerTimeoutMs: consumerTimeout(options.consumerTimeoutMs),
    brokerHeartbeatSeconds: heartbeatSeconds(options.brokerHeartbeatSeconds ?? 10),
    shutdownTimeoutMs: durationMs(options.shutdownTimeoutMs ?? 30_000, 'shutdownTimeoutMs'),
    timeLimits: compileTimeLimits('worker', options),
    mingle: booleanOption(options.mingle ?? true, 'mingle'),
    events: booleanOption(options.events ?? false, 'events'),
    heartbeatEvents: booleanOption(options.heartbeatEvents ?? true, 'heartbeatEvents'),
  };
}

function queueDeclarations(
  options: WorkerOptions,
): Pick<CompiledWorkerOptions, 'queues' | 'queueOptions' | 'queueType' | 'queueSpecs'> {
  const queues = queueNames(options.queues ?? [DEFAULT_QUEUE]);
  const queueOptions = options.queueOptions ?? {};
  const queueType = compileQueueType(options.queueType, 'queueType');
  const queueSpecs = queues.map((name) => taskQueue(name, queueOptions[name], queueType));
  return { queues, queueOptions, queueType, queueSpecs };
}

type PoolOptions = Pick<CompiledWorkerOptions, 'pool' | 'appModule' | 'maxTasksPerChild' | 'maxMemoryPerChildKb'>;

function poolOptions(options: WorkerOptions): PoolOptions {
  const appModule = options.appModule ?? null;
  if (appModule !== null && (typeof appModule !== 'string' || !appModule))
    throw new ConfigurationError('appModule must be a module path');
  // Handlers can only leave the event loop when a child can import them.
  const pool = options.pool ?? (appModule === null ? 'inline' : 'threads');
  if (!POOLS.includes(pool))
    throw new ConfigurationError(`pool must be 'inline', 'threads' or 'processes', got ${JSON.stringify(pool)}`);
  // Children cannot share the worker's handlers: each imports the module itself.
  if (pool !== 'inline' && appModule === null)
    throw new ConfigurationError(`pool '${pool}' needs appModule, the module each child imports the tasks from`);
  const cpu = cpuTasks(options.tasks);
  if (cpu.length > 0 && appModule === null)
    throw new ConfigurationError(
      `${cpu.join(', ')} ${cpu.length === 1 ? 'is' : 'are'} registered with cpu: true, which runs a handler in a worker thread: give the worker appModule, the module the thread imports the tasks from (celeriac worker passes --app)`,
    );
  const maxTasksPerChild = optionalPositiveInteger(options.maxTasksPerChild, 'maxTasksPerChild');
  const maxMemoryPerChildKb = optionalPositiveInteger(options.maxMemoryPerChildKb, 'maxMemoryPerChildKb');
  const recycles = maxTasksPerChild !== null || maxMemoryPerChildKb !== null;
  if (recycles && pool === 'inline' && cpu.length === 0)
    throw new ConfigurationError(
      "maxTasksPerChild and maxMemoryPerChildKb replace the pool's threads or processes: they need pool 'threads' or 'processes' (the inline pool runs handlers in the worker itself)",
    );
  return { pool, appModule, maxTasksPerChild, maxMemoryPerChildKb };
}

const POOLS: readonly WorkerPool[] = ['inline', 'threads', 'processes'];

function autoscaleOptions(value: AutoscaleOptions | null | undefined): Required<AutoscaleOptions> | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'object') throw new ConfigurationError('autoscale must be { max, min?, keepaliveMs? } or null');
  const max = positiveInteger(value.max, 'autoscale.max');
  // Celery's min may be 0; a worker keeps at least one slot.
  const min = Math.max(1, nonNegativeInteger(value.min ?? 1, 'autoscale.min'));
  if (min > max) throw new ConfigurationError(`autoscale.min (${min}) must not be above autoscale.max (${max})`);
  return { max, min, keepaliveMs: durationMs(value.keepaliveMs ?? 30_000, 'autoscale.keepaliveMs') };
}
