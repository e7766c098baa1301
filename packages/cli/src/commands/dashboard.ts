/**
 * `celeriac dashboard`: the web dashboard (@celeriac/dashboard) on 127.0.0.1:5555 by default,
 * with the broker options every command shares. Any other bind address needs --auth; the
 * dashboard refuses to start without it. Runs until SIGINT or SIGTERM.
 */
import { readFile } from 'node:fs/promises';
import type { QueueType } from '@celeriac/amqp';
import type * as DashboardModule from '@celeriac/dashboard';
import type { Dashboard, DashboardAuth } from '@celeriac/dashboard';
// Only the defaults at load: the server (fastify) is imported when this command runs.
import { DEFAULT_DASHBOARD_HOST, DEFAULT_DASHBOARD_PORT, TOKEN_ENV } from '@celeriac/dashboard/defaults';
import { defineCommand, type RunContext } from '../command.js';
import { ExitCode, UsageError } from '../errors.js';
import type { Settings } from '../settings.js';
import { ShutdownSignals } from '../shutdown.js';
import { BEAT_GROUP_OPTION } from './beat-group-option.js';
import { QUEUE_TYPE_OPTION, QUEUE_TYPES } from './queue-type-option.js';

interface DashboardConfig {
  host: string;
  port: number;
  auth: string | undefined;
  authFile: string | undefined;
  managementUrl: string | undefined;
  queues: string[] | undefined;
  beatGroup: string | undefined;
  queueType: QueueType | undefined;
}

export const dashboardCommand = defineCommand<DashboardConfig>({
  command: 'dashboard',
  describe: 'Serve the web dashboard: workers, tasks, queues, schedules and dead letters, live',
  options: {
    host: {
      type: 'string',
      requiresArg: true,
      describe: 'Address to bind; anything but loopback needs --auth',
      defaultDescription: DEFAULT_DASHBOARD_HOST,
    },
    port: {
      type: 'number',
      requiresArg: true,
      describe: 'Port to listen on',
      defaultDescription: String(DEFAULT_DASHBOARD_PORT),
    },
    auth: {
      type: 'string',
      requiresArg: true,
      describe: `basic:USER:PASS, or bearer (the token in ${TOKEN_ENV})`,
      defaultDescription: 'none (loopback only)',
    },
    'auth-file': {
      type: 'string',
      requiresArg: true,
      describe: 'File holding the --auth value (a mounted secret); instead of --auth',
    },
    'management-url': {
      type: 'string',
      requiresArg: true,
      describe: "RabbitMQ's management API for the queues view, e.g. http://guest:guest@localhost:15672",
      defaultDescription: 'none (passive declares)',
    },
    queues: {
      alias: 'Q',
      type: 'string',
      requiresArg: true,
      describe: 'Comma-separated queues the queues view always shows',
      defaultDescription: 'celery,celeriac.dead',
    },
    'beat-group': BEAT_GROUP_OPTION,
    'queue-type': QUEUE_TYPE_OPTION,
  },
  compile: (settings: Settings) => ({
    host: settings.string('host') ?? DEFAULT_DASHBOARD_HOST,
    port: settings.integer('port', 0, 65_535) ?? DEFAULT_DASHBOARD_PORT,
    auth: settings.string('auth'),
    authFile: settings.string('authFile'),
    managementUrl: settings.string('managementUrl'),
    queues: settings.list('queues'),
    beatGroup: settings.string('beatGroup'),
    queueType: settings.choice('queueType', QUEUE_TYPES),
  }),
  run: runDashboard,
});

async function runDashboard(config: DashboardConfig, context: RunContext): Promise<number> {
  const { io, logger } = context;
  const server = await import('@celeriac/dashboard');
  const signals = new ShutdownSignals(io, logger);
  try {
    const dashboard = await startDashboard(server, config, context).catch((error: unknown) => rethrow(server, error));
    logger.log('info', 'dashboard listening', { url: dashboard.url });
    io.stdout.write(`dashboard at ${dashboard.url}\n`);
    await signals.received;
    await dashboard.close();
    return ExitCode.OK;
  } finally {
    signals.dispose();
  }
}

async function startDashboard(
  server: typeof DashboardModule,
  config: DashboardConfig,
  { io, global, logger }: RunContext,
): Promise<Dashboard> {
  return server.Dashboard.start({
    host: config.host,
    port: config.port,
    auth: await authOf(server, config, io.env),
    brokerUrl: global.brokerUrl,
    brokerTls: global.brokerTls,
    declare: global.declare,
    beatGroup: config.beatGroup ?? null,
    queueType: config.queueType,
    managementUrl: config.managementUrl ?? null,
    queues: config.queues,
    logger,
  });
}

async function authOf(
  server: typeof DashboardModule,
  config: DashboardConfig,
  env: RunContext['io']['env'],
): Promise<DashboardAuth | null> {
  if (config.auth !== undefined && config.authFile !== undefined)
    throw new UsageError('give --auth or --auth-file, not both');
  const spec = config.authFile === undefined ? config.auth : (await readFile(config.authFile, 'utf8')).trim();
  return spec === undefined ? null : server.parseAuth(spec, env);
}

/** A refused configuration (no auth on a public address, bad --auth) is a usage error: exit 2. */
function rethrow(server: typeof DashboardModule, error: unknown): never {
  if (error instanceof server.DashboardConfigError) throw new UsageError(error.message);
  throw error;
}
