/**
 * The parts of Celery's `inspect stats` reply that describe the process rather than its tasks
 * (reference wave2 §4.2): the broker as kombu's `Connection.info()` shows it (never with the
 * password), the pool, and `rusage` with getrusage's field names, which Flower displays.
 */

/** kombu's `Connection.info()` for an amqp URL; the password is left out, as kombu does. */
export function brokerInfo(urls: readonly string[]): Record<string, unknown> {
  const [first = 'amqp://localhost', ...rest] = urls;
  const url = new URL(first);
  const ssl = url.protocol === 'amqps:';
  return {
    hostname: url.hostname || 'localhost',
    userid: decodeURIComponent(url.username || 'guest'),
    virtual_host: virtualHost(url.pathname),
    port: url.port ? Number(url.port) : ssl ? 5671 : 5672,
    insist: false,
    ssl,
    transport: 'amqp',
    connect_timeout: 4,
    transport_options: {},
    login_method: 'PLAIN',
    uri_prefix: null,
    heartbeat: 120.0,
    failover_strategy: 'round-robin',
    alternates: rest.map(withoutPassword),
  };
}

/** amqp://host// and amqp://host/ are the `/` vhost; otherwise the path names it (URL-encoded). */
function virtualHost(pathname: string): string {
  const path = pathname.replace(/^\//, '');
  return path === '' || path === '/' ? '/' : decodeURIComponent(path);
}

function withoutPassword(text: string): string {
  const url = new URL(text);
  url.password = '';
  return url.toString();
}

/** Node's `process.resourceUsage()` fields that map onto getrusage's. */
export interface ResourceUsageLike {
  userCPUTime: number;
  systemCPUTime: number;
  maxRSS: number;
  sharedMemorySize: number;
  unsharedDataSize: number;
  unsharedStackSize: number;
  minorPageFault: number;
  majorPageFault: number;
  swappedOut: number;
  fsRead: number;
  fsWrite: number;
  ipcSent: number;
  ipcReceived: number;
  signalsCount: number;
  voluntaryContextSwitches: number;
  involuntaryContextSwitches: number;
}

/** Python's `resource.getrusage` as Celery reports it: CPU times in seconds, maxrss in kB. */
export function rusageInfo(usage: ResourceUsageLike): Record<string, number> {
  return {
    utime: usage.userCPUTime / 1e6,
    stime: usage.systemCPUTime / 1e6,
    maxrss: usage.maxRSS,
    ixrss: usage.sharedMemorySize,
    idrss: usage.unsharedDataSize,
    isrss: usage.unsharedStackSize,
    minflt: usage.minorPageFault,
    majflt: usage.majorPageFault,
    nswap: usage.swappedOut,
    inblock: usage.fsRead,
    oublock: usage.fsWrite,
    msgsnd: usage.ipcSent,
    msgrcv: usage.ipcReceived,
    nsignals: usage.signalsCount,
    nvcsw: usage.voluntaryContextSwitches,
    nivcsw: usage.involuntaryContextSwitches,
  };
}

export interface PoolDescription {
  implementation: string;
  maxConcurrency: number;
  pids: readonly number[];
  /** Celery's --max-tasks-per-child; 'N/A' when children are never replaced. @default null */
  maxTasksPerChild?: number | null;
  softTimeoutS: number | null;
  hardTimeoutS: number | null;
}

/** The prefork pool's keys, which Flower reads (`max-concurrency`, `processes`). */
export function poolInfo(pool: PoolDescription): Record<string, unknown> {
  return {
    implementation: pool.implementation,
    'max-concurrency': pool.maxConcurrency,
    processes: [...pool.pids],
    'max-tasks-per-child': pool.maxTasksPerChild ?? 'N/A',
    'put-guarded-by-semaphore': false,
    timeouts: [pool.softTimeoutS ?? 0, pool.hardTimeoutS ?? 0],
    writes: 'N/A',
  };
}
