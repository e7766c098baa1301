import {
  ConfigurationError,
  DEFAULT_BROKER_URL,
  checkBrokerUrl,
  silentLogger,
  type BrokerUrls,
  type Logger,
  type ScheduleInput,
  type ScheduleStore,
} from '@celeriac/core';
import { compileClientOptions, type ClientOptions } from '@celeriac/client';
import {
  beatGroup,
  checkBrokerTls,
  checkDeclare,
  type BeatGroup,
  type BrokerTlsOptions,
  type DeclareMode,
} from '@celeriac/amqp';
import { staticSet, type StaticSet } from './static-schedule.js';

/** How fired tasks are routed and their queues declared, as for a Client. */
export type BeatClientOptions = Pick<
  ClientOptions,
  'defaultQueue' | 'routes' | 'queues' | 'queueType' | 'publishWaitMs'
>;

/** How a Beat is configured (stage 1: as the user writes it). */
export interface BeatOptions {
  /** Where schedules and their state live, e.g. `openScheduleStore('file:./celeriac-schedule.json')`. The caller closes it. */
  store: ScheduleStore;
  /**
   * One broker, or the nodes of a cluster (`'amqp://h1;amqp://h2'` as Celery writes it, or an
   * array): the first that answers is used, and on loss the next. @default 'amqp://guest:guest@localhost:5672//'
   */
  brokerUrl?: BrokerUrls;
  /** TLS for `amqps://` URLs (lock and send connections alike); see BrokerTlsOptions. */
  brokerTls?: BrokerTlsOptions;
  /**
   * False when this component's broker user may not declare queues and exchanges (least
   * privilege): they are only checked, and `celeriac topology apply` declares them. 'auto'
   * declares unless a probe at connect finds the user may not. @default 'auto'
   */
  declare?: DeclareMode;
  /**
   * Static schedules (e.g. from a schedule file), merged into the store at start: new ones are
   * added, changed ones updated (keeping their last slot, run count and, for an interval without
   * an explicit anchor, its anchor). Stored schedules missing from this list stay. @default []
   */
  schedules?: ScheduleInput[] | (() => Promise<ScheduleInput[]>);
  /**
   * Names the content of `schedules` (the CLI gives a hash of its --schedule file); the store
   * records it with their merge. When the store holds it already and nothing but fires changed
   * the store since, start() skips the merge, which would change nothing, and a function given
   * as `schedules` is never called: no reading, compiling or comparing of 100,000 schedules on
   * each restart. A function is compiled in start() when it is called (an invalid schedule then
   * fails start(), not the constructor), and needs a digest. @default none: every start merges
   */
  staticDigest?: string;
  /**
   * Makes `schedules` the whole truth, as Celery's beat_schedule is: every stored schedule not in
   * it is removed at start, including ones added at run time. @default false
   */
  pruneStatic?: boolean;
  /**
   * Schedules due within this many ms of a wake-up fire in that wake-up instead of arming a
   * timer for a few milliseconds more; absorbs timer jitter. A fire is never earlier than this. @default 5
   */
  tickToleranceMs?: number;
  /** How often a standby beat tries to take the leader lock. @default 1000 */
  lockRetryMs?: number;
  /**
   * Heartbeat of the leader-lock connection in seconds. The broker frees the lock about two
   * heartbeats after a leader's host vanishes (a killed process frees it at once). @default 5
   */
  lockHeartbeatSeconds?: number;
  /** Name shown for beat's connections in RabbitMQ. @default 'celeriac-beat' */
  connectionName?: string;
  /**
   * The beat group: beats of one group share a leader lock and a control queue; clients edit a
   * group's schedules with the same `beatGroup`. Several applications share one vhost with a
   * group each. @default null (queues `celeriac.beat.leader` and `celeriac.beat.control`)
   */
  beatGroup?: string | null;
  /**
   * Routing and queue declarations for fired tasks (a schedule's own `options.queue` wins), e.g.
   * `{ queues: { reports: { maxPriority: 10 } } }` or `{ queueType: 'quorum' }` to match the
   * workers' declaration. A fire the broker does not confirm within `publishWaitMs` is retried a
   * second later. @default { publishWaitMs: 5000 }
   */
  client?: BeatClientOptions;
  logger?: Logger;
}

/** Options validated, with every default applied (stage 2). */
export interface CompiledBeatOptions {
  store: ScheduleStore;
  /** One URL, or several joined with `;`. */
  brokerUrl: string;
  brokerTls: BrokerTlsOptions | null;
  declare: DeclareMode;
  /** An array is compiled once here; the merge into the store reuses it. */
  schedules: StaticSet;
  pruneStatic: boolean;
  tickToleranceMs: number;
  lockRetryMs: number;
  lockHeartbeatSeconds: number;
  connectionName: string;
  beatGroup: BeatGroup;
  /** The options of beat's own Client: no result backend, so it declares no reply queue. */
  client: ClientOptions;
  logger: Logger;
}

/** Checks options before anything connects; a bad static schedule is a ConfigurationError naming it. */
export function compileBeatOptions(options: BeatOptions): CompiledBeatOptions {
  const url = checkBrokerUrl(options.brokerUrl ?? DEFAULT_BROKER_URL);
  const connectionName = options.connectionName ?? 'celeriac-beat';
  const logger = options.logger ?? silentLogger;
  const brokerTls = checkBrokerTls(options.brokerTls);
  return {
    store: store(options.store),
    brokerUrl: url,
    brokerTls,
    declare: checkDeclare(options.declare),
    schedules: staticSet(options.schedules ?? [], options.staticDigest, options.pruneStatic ?? false),
    pruneStatic: options.pruneStatic ?? false,
    tickToleranceMs: atLeast(options.tickToleranceMs ?? 5, 0, 'tickToleranceMs'),
    lockRetryMs: atLeast(options.lockRetryMs ?? 1000, 1, 'lockRetryMs'),
    lockHeartbeatSeconds: atLeast(options.lockHeartbeatSeconds ?? 5, 1, 'lockHeartbeatSeconds'),
    connectionName,
    beatGroup: beatGroup(options.beatGroup),
    client: clientOptions(options.client ?? {}, {
      brokerUrl: url,
      brokerTls: brokerTls ?? undefined,
      declare: checkDeclare(options.declare),
      connectionName: `${connectionName}:send`,
      logger,
    }),
    logger,
  };
}

/**
 * Beat never reads results (Celery's beat declares an rpc reply queue nobody consumes, where
 * results pile up): its client has no result backend, so its tasks carry no reply_to.
 */
function clientOptions(
  given: BeatClientOptions,
  fixed: Pick<ClientOptions, 'brokerUrl' | 'brokerTls' | 'declare' | 'connectionName' | 'logger'>,
): ClientOptions {
  if (typeof given !== 'object' || given === null)
    throw new ConfigurationError('client must be an object of client options');
  const { defaultQueue, routes, queues, queueType, publishWaitMs = 5000 } = given;
  const options: ClientOptions = {
    defaultQueue,
    routes,
    queues,
    queueType,
    publishWaitMs,
    ...fixed,
    resultBackend: null,
  };
  compileClientOptions(options);
  return options;
}

function store(value: unknown): ScheduleStore {
  const methods = ['list', 'get', 'put', 'remove', 'setEnabled', 'recordFire', 'close'] as const;
  if (
    typeof value === 'object' &&
    value !== null &&
    methods.every((m) => typeof (value as Record<string, unknown>)[m] === 'function')
  )
    return value as ScheduleStore;
  throw new ConfigurationError(
    'store must be a ScheduleStore, e.g. openScheduleStore("file:./celeriac-schedule.json")',
  );
}

function atLeast(value: number, min: number, field: string): number {
  if (typeof value === 'number' && Number.isFinite(value) && value >= min) return value;
  throw new ConfigurationError(`${field} must be a number >= ${min}, got ${JSON.stringify(value)}`);
}
