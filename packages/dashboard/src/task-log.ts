/**
 * What the task page shows beyond MonitorState's summary: each task's events in order (its
 * timeline) and the fields that only some events carry (args and kwargs reprs, ETA, retries,
 * traceback, parent and root ids). Bounded like MonitorState: the oldest task goes first.
 */
import type { DecodedEvent } from '@celeriac/protocol';

export interface TimelineEntry {
  type: string;
  /** Milliseconds since the epoch. */
  at: number;
  hostname: string;
}

export interface TaskDetails {
  args: string | null;
  kwargs: string | null;
  retries: number;
  eta: string | null;
  expires: string | null;
  queue: string | null;
  traceback: string | null;
  rootId: string | null;
  parentId: string | null;
  timeline: TimelineEntry[];
}

/** A retried task can have many events; its first and latest ones are what matter. */
const MAX_TIMELINE = 50;
const DETAIL_FIELDS = ['args', 'kwargs', 'eta', 'expires', 'queue', 'traceback'] as const;

export class TaskLog {
  readonly #tasks = new Map<string, TaskDetails>();

  constructor(private readonly maxTasks: number) {}

  apply(event: DecodedEvent): void {
    if (!event.type.startsWith('task-') || typeof event.uuid !== 'string') return;
    const details = this.#tasks.get(event.uuid) ?? blank();
    for (const field of DETAIL_FIELDS) if (typeof event[field] === 'string') details[field] = event[field];
    if (typeof event.retries === 'number') details.retries = event.retries;
    if (typeof event.root_id === 'string') details.rootId = event.root_id;
    if (typeof event.parent_id === 'string') details.parentId = event.parent_id;
    if (details.timeline.length >= MAX_TIMELINE) details.timeline.splice(1, 1);
    details.timeline.push({ type: event.type, at: event.timestamp * 1000, hostname: event.hostname });
    // Events of one task come over different connections (task-sent from the client): by time.
    details.timeline.sort((a, b) => a.at - b.at);
    this.#remember(event.uuid, details);
  }

  get(uuid: string): TaskDetails | null {
    return this.#tasks.get(uuid) ?? null;
  }

  /** Tasks whose parent or root is `uuid`: its place in a chain or group. */
  related(uuid: string): string[] {
    const found: string[] = [];
    for (const [id, details] of this.#tasks)
      if (id !== uuid && (details.parentId === uuid || details.rootId === uuid)) found.push(id);
    return found;
  }

  #remember(uuid: string, details: TaskDetails): void {
    this.#tasks.delete(uuid);
    this.#tasks.set(uuid, details);
    if (this.#tasks.size > this.maxTasks) this.#tasks.delete(this.#tasks.keys().next().value ?? '');
  }
}

function blank(): TaskDetails {
  return {
    args: null,
    kwargs: null,
    retries: 0,
    eta: null,
    expires: null,
    queue: null,
    traceback: null,
    rootId: null,
    parentId: null,
    timeline: [],
  };
}
