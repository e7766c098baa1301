import { redactUrl } from '@celeriac/core';
import { DEFAULT_QUEUE } from '@celeriac/amqp';
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import type { WorkerPool } from '@celeriac/worker';
import type { QueueType } from '@celeriac/amqp';
import { loadTaskRegistry } from '../app-loader.js';
import { METRICS_PORT_OPTION, serveWorkerMetrics } from '../metrics.js';
import { defineCommand, type RunContext } from '../command.js';
import { ExitCode, UsageError } from '../errors.js';
import { ShutdownSignals, watchSupervisor } from '../shutdown.js';
import { Supervisor, spawnWorkerProcess } from '../supervisor.js';
import { QUEUE_TYPE_OPTION, QUEUE_TYPES } from './queue-type-option.js';

interface WorkerConfig {
  app: string;
  queues: string[] | undefined;
  concurrency: number | undefined;
  prefetchMultiplier: number | undefined;
  trackStarted: boolean;
  maxPriority: number | undefined;
  queueType: QueueType | undefined;
  maxDeliveries: number | undefined;
  pool: WorkerPool | undefined;
  maxTasksPerChild: number | undefined;
  /** KiB, as Celery's --max-memory-per-child. */
  maxMemoryPerChild: number | undefined;
  autoscale: { max: number; min: number } | undefined;
  /** The broker's consumer_timeout; 0 when it has none. */
  consumerTimeoutMs: number | undefined;
  brokerHeartbeat: number | undefined;
  /** 0: run the worker in this process; N: supervise N child worker processes. */
  processes: number;
  shutdownTimeoutMs: number | undefined;
  timeLimitMs: number | undefined;
  softTimeLimitMs: number | undefined;
  nodeName: string | undefined;
  /** Celery's --without-mingle: skip asking the other workers for revoked ids at start. */
  withoutMingle: boolean;
  /** Serve /metrics and /healthz on this port. */
  metricsPort: number | undefined;
  events: boolean;
  withoutHeartbeat: boolean;
}

export const workerCommand = defineCommand<WorkerConfig>({
  command: 'worker',
  describe: 'Run the tasks of an --app module until SIGTERM or SIGINT',
  options: {
    app: {
      type: 'string',
      requiresArg: true,
      describe: 'Module (path from the working directory) whose default export, or export "tasks", is a TaskRegistry',
    },
    queues: {
      alias: 'Q',
      type: 'string',
      requiresArg: true,
      describe: 'Comma-separated queues to consume',
      defaultDescription: 'celery',
    },
    concurrency: {
      alias: 'c',
      type: 'number',
      requiresArg: true,
      describe: 'Tasks run at once',
      defaultDescription: '10',
    },
    'prefetch-multiplier': {
      type: 'number',
      requiresArg: true,
      describe: 'Messages held per running slot',
      defaultDescription: '2',
    },
    'track-started': { type: 'boolean', describe: 'Report STARTED before running a task', defaultDescription: 'false' },
    'max-priority': {
      type: 'number',
      requiresArg: true,
      describe: 'Declare the consumed queues with x-max-priority N (1-255); every declarer of a queue must agree',
      defaultDescription: 'no priorities',
    },
    'queue-type': QUEUE_TYPE_OPTION,
    'max-deliveries': {
      type: 'number',
      requiresArg: true,
      describe: 'Dead-letter a task (MAX_DELIVERIES) after this many deliveries that ended without an ack',
      defaultDescription: '5',
    },
    pool: {
      alias: 'P',
      type: 'string',
      requiresArg: true,
      describe:
        'threads (handlers in worker_threads, off the event loop that carries heartbeats and acks), processes (in forked processes, like Celery prefork) or inline (async handlers on the event loop, least overhead)',
      defaultDescription: 'threads',
    },
    'max-tasks-per-child': {
      type: 'number',
      requiresArg: true,
      describe: 'Replace a pool thread or process after it has run this many tasks (threads and processes pools)',
      defaultDescription: 'no limit',
    },
    'max-memory-per-child': {
      type: 'number',
      requiresArg: true,
      describe:
        "Replace a pool thread or process, after its task, once it holds more than this many KiB (a process's resident memory; a thread's own heap)",
      defaultDescription: 'no limit',
    },
    autoscale: {
      type: 'string',
      requiresArg: true,
      describe: 'MAX,MIN: run between MIN and MAX tasks at once, following the load (replaces --concurrency)',
      defaultDescription: 'off',
    },
    'consumer-timeout': {
      type: 'number',
      requiresArg: true,
      describe:
        "The broker's consumer_timeout in seconds (0: it has none): tasks held at 4/5 of it are handed over (waiting ones back to their queue, running ones to a lease) before the broker closes the channel",
      defaultDescription: "1800 (RabbitMQ's default)",
    },
    'broker-heartbeat': {
      type: 'number',
      requiresArg: true,
      describe: "AMQP heartbeat of the worker's connections, in seconds (Celery's broker_heartbeat)",
      defaultDescription: '10',
    },
    processes: {
      type: 'number',
      requiresArg: true,
      describe: 'Run and supervise this many worker processes (restarted if they die)',
      defaultDescription: '0 (one worker, in this process)',
    },
    'time-limit': {
      type: 'number',
      requiresArg: true,
      describe: 'Hard time limit in seconds: a task still running then FAILs with TimeLimitExceeded and frees its slot',
      defaultDescription: 'none',
    },
    'soft-time-limit': {
      type: 'number',
      requiresArg: true,
      describe: "Soft time limit in seconds: the task's ctx.signal aborts with SoftTimeLimitExceeded",
      defaultDescription: 'none',
    },
    hostname: {
      alias: 'n',
      type: 'string',
      requiresArg: true,
      describe:
        'Node name (name@host) for control commands and logs; %h = host name, %p = process id. Must be unique: workers with one name share one control queue',
      defaultDescription: 'celeriac-%p@%h',
    },
    'without-mingle': {
      type: 'boolean',
      describe:
        "Start without asking the other workers for their revoked task ids and clocks (Celery's mingle, up to a second)",
      defaultDescription: 'false',
    },
    'metrics-port': METRICS_PORT_OPTION,
    events: {
      alias: 'E',
      type: 'boolean',
      describe: 'Send task events to celeryev (celery events, Flower); enable_events/disable_events switch them',
      defaultDescription: 'false',
    },
    'without-heartbeat': {
      type: 'boolean',
      describe: 'Send no worker-online/worker-heartbeat/worker-offline events (monitors will not list the worker)',
      defaultDescription: 'false',
    },
    'shutdown-timeout': {
      type: 'number',
      requiresArg: true,
      describe: 'On SIGTERM, seconds running tasks may take before they go back to the queue',
      defaultDescription: '30',
    },
  },
  compile: (settings) => ({
    app: settings.requiredString('app', '--app', 'CELERIAC_APP'),
    queues: settings.list('queues'),
    concurrency: settings.integer('concurrency', 1, 65_535),
    prefetchMultiplier: settings.integer('prefetchMultiplier', 1, 65_535),
    trackStarted: settings.boolean('trackStarted') ?? false,
    maxPriority: settings.integer('maxPriority', 1, 255),
    queueType: settings.choice('queueType', QUEUE_TYPES),
    maxDeliveries: settings.integer('maxDeliveries', 1),
    pool: settings.choice('pool', POOLS),
    maxTasksPerChild: settings.integer('maxTasksPerChild', 1),
    maxMemoryPerChild: settings.integer('maxMemoryPerChild', 1),
    autoscale: autoscaleSetting(settings.string('autoscale')),
    consumerTimeoutMs: secondsToMs(settings.seconds('consumerTimeout')),
    brokerHeartbeat: settings.seconds('brokerHeartbeat'),
    processes: settings.integer('processes', 0, 1024) ?? 0,
    shutdownTimeoutMs: secondsToMs(settings.seconds('shutdownTimeout')),
    // 0 means no limit, as in Celery.
    timeLimitMs: secondsToMs(settings.seconds('timeLimit')) || undefined,
    softTimeLimitMs: secondsToMs(settings.seconds('softTimeLimit')) || undefined,
    nodeName: settings.string('hostname'),
    withoutMingle: settings.boolean('withoutMingle') ?? false,
    metricsPort: settings.integer('metricsPort', 0, 65_535),
    events: settings.boolean('events') ?? false,
    withoutHeartbeat: settings.boolean('withoutHeartbeat') ?? false,
  }),
  run: runWorker,
});

const POOLS: readonly WorkerPool[] = ['threads', 'processes', 'inline'];
/** How long the process may linger after the worker stopped before it is ended. */
const LINGER_MS = 1000;

/** Starts the worker, waits for a shutdown signal (even one that arrives while starting), stops it. */
async function runWorker(config: WorkerConfig, { io, global, logger }: RunContext): Promise<number> {
  if (config.processes > 0 && config.metricsPort !== undefined)
    // Every child would bind the same port: one worker per process (or container) has its own instead.
    throw new UsageError('--metrics-port serves one worker process; it cannot be combined with --processes');
  // Loaded even by a supervisor: a broken --app is a usage error here, not N crash-looping children.
  const tasks = await loadTaskRegistry(config.app, io.cwd);
  if (config.processes > 0)
    return new Supervisor({
      count: config.processes,
      spawnChild: () => spawnWorkerProcess(io.env),
      signals: io.signals,
      logger,
    }).run();
  const { queues, concurrency, prefetchMultiplier, trackStarted, maxDeliveries, pool, shutdownTimeoutMs } = config;
  const nodeName = config.nodeName === undefined ? undefined : expandNodeName(config.nodeName);
  const semantics = {
    nodeName,
    maxDeliveries,
    pool,
    maxTasksPerChild: config.maxTasksPerChild,
    maxMemoryPerChildKb: config.maxMemoryPerChild,
    autoscale: config.autoscale,
    // 0 says the broker has no consumer timeout.
    consumerTimeoutMs: config.consumerTimeoutMs === 0 ? null : config.consumerTimeoutMs,
    brokerHeartbeatSeconds: config.brokerHeartbeat,
    shutdownTimeoutMs,
    appModule: resolve(io.cwd, config.app),
    queueOptions: priorityQueues(config),
    queueType: config.queueType,
    timeLimitMs: config.timeLimitMs,
    softTimeLimitMs: config.softTimeLimitMs,
    mingle: !config.withoutMingle,
    events: config.events,
    heartbeatEvents: !config.withoutHeartbeat,
  };
  const { Worker } = await import('@celeriac/worker'); // only the worker command loads it
  const worker = new Worker({
    tasks,
    queues,
    concurrency,
    prefetchMultiplier,
    trackStarted,
    ...semantics,
    brokerUrl: global.brokerUrl,
    brokerTls: global.brokerTls,
    declare: global.declare,
    resultBackend: global.resultBackend,
    logger,
  });
  const shutdown = new ShutdownSignals(io, logger);
  watchSupervisor(shutdown, process, io.env);
  // Before the worker starts: a probe then reads 503 (starting), not a refused connection.
  const metrics =
    config.metricsPort === undefined ? null : await serveWorkerMetrics(worker, config.metricsPort, logger);
  try {
    logger.log('debug', 'worker configured', {
      app: config.app,
      broker: redactUrl(global.brokerUrl),
      resultBackend: global.resultBackend === null ? null : redactUrl(global.resultBackend),
    });
    // `celery control shutdown` stops the worker from inside; the process then ends as after SIGTERM.
    const stoppedRemotely = new Promise<void>((resolve) => worker.once('worker:stopped', resolve));
    await Promise.race([worker.start(), shutdown.received]);
    await Promise.race([shutdown.received, stoppedRemotely]);
    await worker.stop();
    // A handler that ignored its abort signal may keep the event loop alive (a pending timer);
    // its message is back in the queue already, so nothing is lost by ending the process.
    setTimeout(() => io.exit(ExitCode.OK), LINGER_MS).unref();
    return ExitCode.OK;
  } finally {
    shutdown.dispose();
    await metrics?.close();
  }
}

/** --max-priority applies to every queue this worker consumes. */
function priorityQueues(config: WorkerConfig): Record<string, { maxPriority: number }> {
  const { maxPriority } = config;
  if (maxPriority === undefined) return {};
  return Object.fromEntries((config.queues ?? [DEFAULT_QUEUE]).map((queue) => [queue, { maxPriority }]));
}

/** Celery's node-name placeholders that make sense here: %h host name, %p process id. */
export function expandNodeName(template: string): string {
  return template.replace(/%h/g, hostname()).replace(/%p/g, String(process.pid));
}

/** Celery's `--autoscale MAX,MIN` (MIN may be left out). */
export function autoscaleSetting(text: string | undefined): { max: number; min: number } | undefined {
  if (text === undefined) return undefined;
  const match = /^\s*(\d+)\s*(?:,\s*(\d+)\s*)?$/.exec(text);
  const max = Number(match?.[1]);
  const min = match?.[2] === undefined ? 0 : Number(match[2]);
  if (!match || max < 1 || min > max)
    throw new UsageError(
      `--autoscale must be MAX,MIN with 1 <= MAX and MIN <= MAX (e.g. 10,3), got ${JSON.stringify(text)}`,
    );
  return { max, min };
}

function secondsToMs(seconds: number | undefined): number | undefined {
  return seconds === undefined ? undefined : seconds * 1000;
}
