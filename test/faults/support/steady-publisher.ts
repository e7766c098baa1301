/**
 * A producer that keeps sending `faults.work` tasks at a steady rate while a case breaks the
 * broker, and remembers each send: its id, when it started and ended, and whether the client
 * resolved it (confirmed) or rejected it (with the error's code). At most `window` sends wait at
 * once, so during an outage the producer stalls instead of piling up sends; afterwards it goes on
 * at its rate (no catch-up burst).
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Client } from '@celeriac/client';
import { work } from '../fixtures/ledger-tasks.js';
import type { Sends } from './ledger.js';

export interface SendRecord {
  readonly id: string;
  readonly startedAt: number;
  /** Unset while the send is under way. */
  endedAt?: number;
  outcome?: 'confirmed' | 'failed';
  /** `<error class>:<code>` of a failed send, e.g. `PublishError:PUBLISH_UNCONFIRMED`. */
  error?: string;
}

export interface SteadyPublisherOptions {
  queue: string;
  perSecond: number;
  /** Sends allowed to wait for their confirm at once. */
  window: number;
  /** The sleep of each task. */
  taskMs: number;
}

export class SteadyPublisher {
  readonly records: SendRecord[] = [];
  #running = false;
  #loops: Promise<void>[] = [];
  #nextAt = 0;

  constructor(
    private readonly client: Client,
    private readonly options: SteadyPublisherOptions,
  ) {}

  start(): void {
    this.#running = true;
    this.#nextAt = Date.now();
    this.#loops = Array.from({ length: this.options.window }, () => this.#loop());
  }

  /** Stops sending; resolves once every send under way has been confirmed or rejected. */
  async stop(): Promise<void> {
    this.#running = false;
    await Promise.all(this.#loops);
  }

  /** Sends `count` tasks of `taskMs`, `lanes` at a time, alongside the steady sends: a backlog. */
  async burst(count: number, taskMs: number, lanes = 100): Promise<void> {
    let left = count;
    const lane = async () => {
      while (left-- > 0) await this.#send(taskMs);
    };
    await Promise.all(Array.from({ length: lanes }, lane));
  }

  get sends(): Sends {
    return {
      attempted: this.records.map((send) => send.id),
      confirmed: new Set(this.confirmed().map((send) => send.id)),
    };
  }

  confirmed(): SendRecord[] {
    return this.records.filter((send) => send.outcome === 'confirmed');
  }

  failed(): SendRecord[] {
    return this.records.filter((send) => send.outcome === 'failed');
  }

  /** Sends started in [from, to). */
  startedBetween(from: number, to: number): SendRecord[] {
    return this.records.filter((send) => send.startedAt >= from && send.startedAt < to);
  }

  /** Sends started before `at` and not settled by then. */
  pendingAt(at: number): SendRecord[] {
    return this.records.filter((send) => send.startedAt < at && (send.endedAt ?? Infinity) > at);
  }

  /** Sends the client resolved in [from, to). */
  confirmedBetween(from: number, to: number): SendRecord[] {
    return this.confirmed().filter((send) => (send.endedAt ?? 0) >= from && (send.endedAt ?? 0) < to);
  }

  async #loop(): Promise<void> {
    while (this.#running) {
      // After a stall the schedule restarts from now: the rate stays the rate.
      const dueAt = Math.max(this.#nextAt, Date.now());
      this.#nextAt = dueAt + 1000 / this.options.perSecond;
      await sleep(dueAt - Date.now());
      if (this.#running) await this.#send(this.options.taskMs);
    }
  }

  async #send(taskMs: number): Promise<void> {
    const record: SendRecord = { id: randomUUID(), startedAt: Date.now() };
    this.records.push(record);
    try {
      await this.client.send(work, [taskMs], { queue: this.options.queue, taskId: record.id });
      record.outcome = 'confirmed';
    } catch (error) {
      record.outcome = 'failed';
      record.error = describe(error);
    }
    record.endedAt = Date.now();
  }
}

function describe(error: unknown): string {
  const { name, code } = error as { name?: unknown; code?: unknown };
  return `${String(name)}:${String(code)}`;
}
