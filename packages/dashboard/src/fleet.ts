/**
 * The dashboard's view of the fleet: one event receiver feeding MonitorState (workers, tasks)
 * and the TaskLog (timelines), the client that sends tasks and control commands, and what the
 * workers answer to inspect (queues, concurrency), cached briefly so a page refresh does not
 * broadcast. Listeners hear about changes at most every CHANGE_COALESCE_MS.
 */
import { AmqpConnection, EventReceiver } from '@celeriac/amqp';
import { Client, MonitorState } from '@celeriac/client';
import type { DecodedEvent } from '@celeriac/protocol';
import type { CompiledDashboardOptions } from './options.js';
import { TaskLog } from './task-log.js';

export interface WorkerInspection {
  queues: string[];
  concurrency: number | null;
}

const CHANGE_COALESCE_MS = 250;
const INSPECT_TTL_MS = 3000;
const INSPECT_TIMEOUT_MS = 1000;

export class Fleet {
  readonly state: MonitorState;
  readonly log: TaskLog;
  readonly #listeners = new Set<() => void>();
  #pending: NodeJS.Timeout | null = null;
  #inspected: { at: number; replies: Promise<Record<string, WorkerInspection>> } | null = null;
  #receiver: EventReceiver | null = null;

  private constructor(
    readonly client: Client,
    readonly connection: AmqpConnection,
    maxTasks: number,
  ) {
    this.state = new MonitorState(maxTasks);
    this.log = new TaskLog(maxTasks);
  }

  static async open(options: CompiledDashboardOptions): Promise<Fleet> {
    const { brokerUrl: url, brokerTls: tls, declare, logger } = options;
    const connection = await AmqpConnection.open({ url, tls, declare, name: 'celeriac-dashboard-events', logger });
    const client = new Client({
      brokerUrl: url,
      brokerTls: tls,
      declare,
      resultBackend: 'rpc://',
      connectionName: 'celeriac-dashboard',
      beatGroup: options.beatGroup,
      queueType: options.queueType,
      sendSentEvent: true,
      logger,
    });
    const fleet = new Fleet(client, connection, options.maxTasks);
    fleet.#receiver = await EventReceiver.start(connection, (event) => fleet.#apply(event), { logger });
    return fleet;
  }

  onChange(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Each answering worker's queues and pool size, from `active_queues` and `stats`. */
  inspect(): Promise<Record<string, WorkerInspection>> {
    if (this.#inspected === null || Date.now() - this.#inspected.at > INSPECT_TTL_MS)
      this.#inspected = { at: Date.now(), replies: this.#ask() };
    return this.#inspected.replies;
  }

  async close(): Promise<void> {
    this.#receiver?.stop();
    if (this.#pending) clearTimeout(this.#pending);
    await this.client.close();
    await this.connection.close();
  }

  #apply(event: DecodedEvent): void {
    this.state.apply(event);
    this.log.apply(event);
    this.#pending ??= setTimeout(() => this.#notify(), CHANGE_COALESCE_MS);
  }

  #notify(): void {
    this.#pending = null;
    for (const listener of this.#listeners) listener();
  }

  async #ask(): Promise<Record<string, WorkerInspection>> {
    const options = { timeoutMs: INSPECT_TIMEOUT_MS };
    const [queues, stats] = await Promise.all([
      this.client.control('active_queues', {}, options),
      this.client.control('stats', {}, options),
    ]);
    const found: Record<string, WorkerInspection> = {};
    for (const node of new Set([...Object.keys(queues), ...Object.keys(stats)]))
      found[node] = { queues: queueNames(queues[node]), concurrency: concurrency(stats[node]) };
    return found;
  }
}

function queueNames(reply: unknown): string[] {
  if (!Array.isArray(reply)) return [];
  return reply.map((queue: { name?: unknown }) => queue.name).filter((name) => typeof name === 'string');
}

function concurrency(reply: unknown): number | null {
  const pool = (reply as { pool?: { 'max-concurrency'?: unknown } } | null)?.pool;
  const value = pool?.['max-concurrency'];
  return typeof value === 'number' ? value : null;
}
