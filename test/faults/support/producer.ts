/**
 * The fault cases' producer: sends `faults.work` tasks through a real Client and keeps what a
 * caller would know, every id it tried to send and each id the broker confirmed, so the ledger
 * can be held against both (see ledger.ts `tally`).
 */
import { randomUUID } from 'node:crypto';
import type { Client } from '@celeriac/client';
import { work } from '../fixtures/ledger-tasks.js';
import type { Sends } from './ledger.js';

/** Sends waiting for their confirm at once: enough to keep the broker busy, few enough to stay ordered. */
const WINDOW = 50;

export class Producer implements Sends {
  readonly attempted: string[] = [];
  readonly confirmed = new Set<string>();
  /** Id → the task's sleep, for cases that treat long and short tasks differently. */
  readonly durations = new Map<string, number>();
  /** What the client told the caller for each send it did not confirm. */
  readonly failures = new Map<string, Error>();

  constructor(
    private readonly client: Client,
    private readonly queue: string,
  ) {}

  /** Sends one `faults.work(ms)` per entry of `durationsMs`, in order; returns their ids. */
  async send(durationsMs: readonly number[]): Promise<string[]> {
    const ids: string[] = [];
    for (let start = 0; start < durationsMs.length; start += WINDOW) {
      ids.push(...(await Promise.all(durationsMs.slice(start, start + WINDOW).map((ms) => this.#sendOne(ms)))));
    }
    return ids;
  }

  async #sendOne(ms: number): Promise<string> {
    const taskId = randomUUID();
    this.attempted.push(taskId);
    this.durations.set(taskId, ms);
    try {
      await this.client.send(work, [ms], { taskId, queue: this.queue });
      this.confirmed.add(taskId);
    } catch (error) {
      this.failures.set(taskId, error as Error);
    }
    return taskId;
  }
}

/** `count` sleeps drawn evenly from [minMs, maxMs]. */
export function randomDurations(count: number, minMs: number, maxMs: number): number[] {
  return Array.from({ length: count }, () => minMs + Math.floor(Math.random() * (maxMs - minMs + 1)));
}
