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
  beatGroup,
  checkBrokerTls,
  checkDeclare,
  compileQueueType,
  taskQueue,
  type BeatGroup,
  type BrokerTlsOptions,
  type DeclareMode,
  type QueueType,
  type TaskQueueOptions,
} from '@celeriac/amqp';
import { compileRoutes, type Router, type Routes } from './routes.js';

export interface ClientOptions {
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
  /**
   * 'rpc://' (replies over AMQP, as Celery's rpc backend), 'mongodb://host/db' (Celery's mongodb
   * backend, polled; needs @celeriac/mongodb) or null for fire-and-forget. @default 'rpc://'
   */
  resultBackend?: string | null;
  /** Queue used when a send names none. @default 'celery' */
  defaultQueue?: string;
  /**
   * Task name or glob (`*`, `?`) → queue, used when a send names no queue, as Celery's
   * `task_routes`. Exact names win over globs; among globs the first listed wins. @default {}
   */
  routes?: Routes;
  /** Declaration options per queue name; must match every other declarer of the queue. */
  queues?: Record<string, TaskQueueOptions>;
  /**
   * Type of the queues this client declares (a queue's own `queueType` wins) and of the delay
   * lanes, as Celery 5.5's task_default_queue_type. Every declarer of a queue must agree.
   * @default 'classic'
   */
  queueType?: QueueType;
  /** Unused rpc reply queues are deleted by the broker after this long. @default 86 400 000 (a day) */
  resultExpiresMs?: number;
  /** How long a send waits for the broker while the connection recovers. @default 30 000 */
  publishWaitMs?: number;
  /** Name shown for the client's connections in RabbitMQ. @default 'celeriac-client' */
  connectionName?: string;
  /** The beat group whose schedules `client.schedules` edits (see BeatOptions.beatGroup). @default null */
  beatGroup?: string | null;
  /**
   * Publish a task-sent event to `celeryev` for every send, as Celery's task_send_sent_event, so
   * monitors show tasks PENDING before a worker takes them. Never delays or fails a send. @default false
   */
  sendSentEvent?: boolean;
  logger?: Logger;
}

export interface CompiledClientOptions {
  /** One URL, or several joined with `;`. */
  brokerUrl: string;
  brokerTls: BrokerTlsOptions | null;
  declare: DeclareMode;
  resultBackend: ResultBackendKind;
  /** The configured URL, for backends that need more than the kind (mongodb://…/db); null when disabled. */
  resultBackendUrl: string | null;
  defaultQueue: string;
  /** The queue the routes give a task name, if any. */
  router: Router;
  queues: Record<string, TaskQueueOptions>;
  queueType: QueueType;
  resultExpiresMs: number;
  publishWaitMs: number;
  connectionName: string;
  beatGroup: BeatGroup;
  sendSentEvent: boolean;
  logger: Logger;
}

export function compileClientOptions(options: ClientOptions): CompiledClientOptions {
  return {
    brokerUrl: checkBrokerUrl(options.brokerUrl ?? DEFAULT_BROKER_URL),
    brokerTls: checkBrokerTls(options.brokerTls),
    declare: checkDeclare(options.declare),
    resultBackend: resultBackendKind(options.resultBackend),
    resultBackendUrl:
      options.resultBackend === undefined
        ? 'rpc://'
        : resultBackendKind(options.resultBackend) === null
          ? null
          : options.resultBackend,
    defaultQueue: options.defaultQueue ?? DEFAULT_QUEUE,
    router: compileRoutes(routesObject(options.routes)),
    ...queueDeclarations(options),
    resultExpiresMs: positive(options.resultExpiresMs ?? 86_400_000, 'resultExpiresMs'),
    publishWaitMs: positive(options.publishWaitMs ?? 30_000, 'publishWaitMs'),
    connectionName: options.connectionName ?? 'celeriac-client',
    beatGroup: beatGroup(options.beatGroup),
    sendSentEvent: options.sendSentEvent ?? false,
    logger: options.logger ?? silentLogger,
  };
}

/** Builds every configured queue's declaration once, so a priority on a quorum queue is refused here. */
function queueDeclarations(options: ClientOptions): { queues: Record<string, TaskQueueOptions>; queueType: QueueType } {
  const queueType = compileQueueType(options.queueType, 'queueType');
  const queues = options.queues ?? {};
  for (const [name, declaration] of Object.entries(queues)) taskQueue(name, declaration, queueType);
  return { queues, queueType };
}

function routesObject(routes: unknown): Routes {
  if (routes === undefined) return {};
  if (typeof routes === 'object' && routes !== null && !Array.isArray(routes)) return routes as Routes;
  throw new ConfigurationError('routes must be an object of task name or glob → queue name');
}

function positive(value: number, field: string): number {
  if (Number.isFinite(value) && value > 0) return value;
  throw new ConfigurationError(`${field} must be a positive number of milliseconds`);
}
