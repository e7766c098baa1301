/**
 * What a monitor knows from the events it has seen, as Celery's `events.state.State` keeps it for
 * `celery events` and Flower: each worker (online, heartbeats, active and processed counts, load)
 * and the recent tasks (state, worker, times, runtime, result or exception). Pure: events in, views
 * out; a bounded number of tasks is kept, the oldest dropped first.
 */
import type { DecodedEvent } from '@celeriac/protocol';

export interface WorkerView {
  hostname: string;
  /** Online, and heard from within two heartbeat intervals (Celery's expiry window). */
  online: boolean;
  lastSeenMs: number;
  active: number | null;
  processed: number | null;
  loadavg: readonly number[] | null;
  software: string | null;
}

export interface TaskView {
  uuid: string;
  name: string | null;
  /** Celery's state names: PENDING (sent), RECEIVED, STARTED, SUCCESS, FAILURE, RETRY, REVOKED, REJECTED. */
  state: string;
  worker: string | null;
  receivedMs: number | null;
  startedMs: number | null;
  /** Seconds the handler ran, from task-succeeded. */
  runtime: number | null;
  result: string | null;
  exception: string | null;
  updatedMs: number;
}

const TASK_STATES: Readonly<Record<string, string>> = {
  'task-sent': 'PENDING',
  'task-received': 'RECEIVED',
  'task-started': 'STARTED',
  'task-succeeded': 'SUCCESS',
  'task-failed': 'FAILURE',
  'task-retried': 'RETRY',
  'task-revoked': 'REVOKED',
  'task-rejected': 'REJECTED',
};

interface WorkerRecord extends Omit<WorkerView, 'online'> {
  offline: boolean;
  freqS: number;
}

export class MonitorState {
  readonly #workers = new Map<string, WorkerRecord>();
  readonly #tasks = new Map<string, TaskView>();

  constructor(private readonly maxTasks = 10_000) {}

  apply(event: DecodedEvent): void {
    if (event.type.startsWith('worker-')) this.#worker(event);
    else if (Object.hasOwn(TASK_STATES, event.type)) this.#task(event);
  }

  workers(nowMs = Date.now()): WorkerView[] {
    return [...this.#workers.values()]
      .map(({ offline, freqS, ...view }) => ({ ...view, online: !offline && nowMs - view.lastSeenMs < freqS * 2000 }))
      .sort((a, b) => a.hostname.localeCompare(b.hostname));
  }

  /** The most recently updated tasks first. */
  tasks(limit = this.maxTasks): TaskView[] {
    return [...this.#tasks.values()].reverse().slice(0, limit);
  }

  #worker(event: DecodedEvent): void {
    const known = this.#workers.get(event.hostname);
    this.#workers.set(event.hostname, {
      hostname: event.hostname,
      offline: event.type === 'worker-offline',
      freqS: numberOr(event.freq, known?.freqS ?? 2),
      lastSeenMs: event.timestamp * 1000,
      active: numberOr(event.active, known?.active ?? null),
      processed: numberOr(event.processed, known?.processed ?? null),
      loadavg: Array.isArray(event.loadavg) ? event.loadavg.map(Number) : (known?.loadavg ?? null),
      software: software(event) ?? known?.software ?? null,
    });
  }

  #task(event: DecodedEvent): void {
    const uuid = typeof event.uuid === 'string' ? event.uuid : null;
    if (uuid === null) return;
    const known = this.#tasks.get(uuid);
    const at = event.timestamp * 1000;
    const task: TaskView = {
      uuid,
      name: typeof event.name === 'string' ? event.name : (known?.name ?? null),
      state: stateAfter(TASK_STATES[event.type] ?? known?.state ?? 'PENDING', known?.state),
      worker: event.type === 'task-sent' ? (known?.worker ?? null) : event.hostname,
      receivedMs: event.type === 'task-received' ? at : (known?.receivedMs ?? null),
      startedMs: event.type === 'task-started' ? at : (known?.startedMs ?? null),
      runtime: numberOr(event.runtime, known?.runtime ?? null),
      result: typeof event.result === 'string' ? event.result : (known?.result ?? null),
      exception: typeof event.exception === 'string' ? event.exception : (known?.exception ?? null),
      updatedMs: at,
    };
    this.#tasks.delete(uuid); // re-inserted last: the map's order is the order of updates
    this.#tasks.set(uuid, task);
    if (this.#tasks.size > this.maxTasks) this.#tasks.delete(this.#tasks.keys().next().value ?? '');
  }
}

/**
 * Celery's states.PRECEDENCE, latest first (an unknown state ranks where Celery's None does).
 * Events of one task come from different connections (task-sent from the client, the rest from
 * the worker), so a task-sent can arrive after the task-failed: it must not turn a FAILURE back
 * into PENDING. RETRY is exempt both ways, as in Celery's Task.event.
 */
const PRECEDENCE = [
  'SUCCESS',
  'FAILURE',
  '(unknown)',
  'REVOKED',
  'STARTED',
  'RECEIVED',
  'REJECTED',
  'RETRY',
  'PENDING',
];

function stateAfter(next: string, current: string | undefined): string {
  if (current === undefined || next === 'RETRY' || current === 'RETRY') return next;
  return rank(next) > rank(current) ? current : next;
}

function rank(state: string): number {
  const index = PRECEDENCE.indexOf(state);
  return index === -1 ? PRECEDENCE.indexOf('(unknown)') : index;
}

/** `sw_ident sw_ver`, e.g. `py-celery 5.6.3`, when the worker says. */
function software(event: DecodedEvent): string | null {
  if (typeof event.sw_ident !== 'string') return null;
  return typeof event.sw_ver === 'string' ? `${event.sw_ident} ${event.sw_ver}` : event.sw_ident;
}

function numberOr<T>(value: unknown, fallback: T): number | T {
  return typeof value === 'number' && Number.isFinite(value) ? value : fallback;
}
