/**
 * The dashboard's options in three stages: what a caller gives (DashboardOptions), the defaults,
 * and the compiled form the server runs on. Compiling is where "safe by default" is enforced: a
 * bind address other than loopback without auth is refused before anything listens.
 */
import { silentLogger, splitBrokerUrls, type BrokerUrls, type Logger } from '@celeriac/core';
import type { BrokerTlsOptions, DeclareMode, QueueType } from '@celeriac/amqp';
import { DEFAULT_DASHBOARD_HOST, DEFAULT_DASHBOARD_PORT } from './defaults.js';
import { DashboardConfigError } from './errors.js';
import type { DashboardAuth } from './auth.js';

export interface DashboardOptions {
  /** @default '127.0.0.1' */
  host?: string;
  /** @default 5555 (Flower's) */
  port?: number;
  /** Required for any bind address other than loopback. */
  auth?: DashboardAuth | null;
  /** @default 'amqp://guest:guest@localhost:5672//' */
  brokerUrl?: BrokerUrls;
  brokerTls?: BrokerTlsOptions;
  declare?: DeclareMode;
  /** The beat group whose schedules the dashboard edits. @default null */
  beatGroup?: string | null;
  queueType?: QueueType;
  /**
   * RabbitMQ's management API, e.g. `http://localhost:15672`, for the queues view (passive
   * declares without it). Without a user in the URL, the broker URL's user and password are used.
   */
  managementUrl?: string | null;
  /** Queues the queues view always shows (besides those the workers consume from). @default ['celery', 'celeriac.dead'] */
  queues?: readonly string[];
  /** How many recent tasks are kept in memory. @default 10 000 */
  maxTasks?: number;
  logger?: Logger;
}

export interface CompiledDashboardOptions {
  host: string;
  port: number;
  auth: DashboardAuth | null;
  brokerUrl: BrokerUrls;
  brokerTls: BrokerTlsOptions | undefined;
  declare: DeclareMode;
  beatGroup: string | null;
  queueType: QueueType;
  managementUrl: URL | null;
  queues: readonly string[];
  maxTasks: number;
  logger: Logger;
}

export { DEFAULT_DASHBOARD_HOST, DEFAULT_DASHBOARD_PORT };
const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

export function compileDashboardOptions(options: DashboardOptions = {}): CompiledDashboardOptions {
  const host = options.host ?? DEFAULT_DASHBOARD_HOST;
  const auth = options.auth ?? null;
  const brokerUrl = options.brokerUrl ?? 'amqp://guest:guest@localhost:5672//';
  if (!LOOPBACK.has(host) && auth === null)
    throw new DashboardConfigError(
      'AUTH_REQUIRED',
      `the dashboard binds to ${host}, reachable from other machines: give --auth basic:USER:PASS or --auth bearer (token in CELERIAC_DASHBOARD_TOKEN)`,
    );
  return {
    host,
    port: port(options.port ?? DEFAULT_DASHBOARD_PORT),
    auth,
    brokerUrl,
    brokerTls: options.brokerTls,
    declare: options.declare ?? 'auto',
    beatGroup: options.beatGroup ?? null,
    queueType: options.queueType ?? 'classic',
    managementUrl: managementUrl(options.managementUrl ?? null, brokerUrl),
    queues: options.queues ?? ['celery', 'celeriac.dead'],
    maxTasks: options.maxTasks ?? 10_000,
    logger: options.logger ?? silentLogger,
  };
}

function port(value: number): number {
  if (Number.isInteger(value) && value >= 0 && value <= 65_535) return value;
  throw new DashboardConfigError('INVALID_DASHBOARD_OPTION', `invalid port ${value}: expected 0 to 65535`);
}

function managementUrl(value: string | null, brokerUrl: BrokerUrls): URL | null {
  if (value === null) return null;
  if (!URL.canParse(value) || !/^https?:$/.test(new URL(value).protocol))
    throw new DashboardConfigError(
      'INVALID_DASHBOARD_OPTION',
      'invalid management URL: expected http(s)://user:pass@host:port',
    );
  const url = new URL(value);
  const [broker] = splitBrokerUrls(brokerUrl);
  if (url.username === '' && broker !== undefined && URL.canParse(broker)) {
    url.username = new URL(broker).username;
    url.password = new URL(broker).password;
  }
  return url;
}
