import { redactUrl } from '@celeriac/core';
import { Worker } from '@celeriac/worker';
import { loadTaskRegistry } from '../app-loader.js';
import { defineCommand, type RunContext } from '../command.js';
import { ExitCode } from '../errors.js';
import { ShutdownSignals } from '../shutdown.js';

interface WorkerConfig {
  app: string;
  queues: string[] | undefined;
  concurrency: number | undefined;
  prefetchMultiplier: number | undefined;
  trackStarted: boolean;
}

export const workerCommand = defineCommand<WorkerConfig>({
  command: 'worker',
  describe: 'Run the tasks of an --app module until SIGTERM or SIGINT',
  options: {
    app: { type: 'string', requiresArg: true, describe: 'Module (path from the working directory) whose default export, or export "tasks", is a TaskRegistry' },
    queues: { alias: 'Q', type: 'string', requiresArg: true, describe: 'Comma-separated queues to consume', defaultDescription: 'celery' },
    concurrency: { alias: 'c', type: 'number', requiresArg: true, describe: 'Tasks run at once', defaultDescription: '10' },
    'prefetch-multiplier': { type: 'number', requiresArg: true, describe: 'Messages held per running slot', defaultDescription: '2' },
    'track-started': { type: 'boolean', describe: 'Report STARTED before running a task', defaultDescription: 'false' },
  },
  compile: (settings) => ({
    app: settings.requiredString('app', '--app', 'CELERIAC_APP'),
    queues: settings.list('queues'),
    concurrency: settings.integer('concurrency', 1, 65_535),
    prefetchMultiplier: settings.integer('prefetchMultiplier', 1, 65_535),
    trackStarted: settings.boolean('trackStarted') ?? false,
  }),
  run: runWorker,
});

/** Starts the worker, waits for a shutdown signal (even one that arrives while starting), stops it. */
async function runWorker(config: WorkerConfig, { io, global, logger }: RunContext): Promise<number> {
  const tasks = await loadTaskRegistry(config.app, io.cwd);
  const { queues, concurrency, prefetchMultiplier, trackStarted } = config;
  const worker = new Worker({ tasks, queues, concurrency, prefetchMultiplier, trackStarted, brokerUrl: global.brokerUrl, resultBackend: global.resultBackend, logger });
  const shutdown = new ShutdownSignals(io, logger);
  try {
    logger.log('debug', 'worker configured', { app: config.app, broker: redactUrl(global.brokerUrl), resultBackend: global.resultBackend });
    await Promise.race([worker.start(), shutdown.received]);
    await shutdown.received;
    await worker.stop();
    return ExitCode.OK;
  } finally {
    shutdown.dispose();
  }
}
