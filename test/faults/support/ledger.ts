/**
 * Counting what came out of a fault case: the ledger the tasks wrote (see
 * fixtures/ledger-tasks.ts) held against what the producer sent and what the broker confirmed.
 */
import { readFileSync, existsSync } from 'node:fs';

export interface LedgerRuns {
  /** Starts per task id. */
  readonly started: ReadonlyMap<string, number>;
  /** Finished runs per task id. */
  readonly done: ReadonlyMap<string, number>;
  /** Task ids whose start was written by more than one process id (retried after a crash). */
  readonly pids: ReadonlyMap<string, ReadonlySet<string>>;
}

export interface Counts {
  sent: number;
  confirmed: number;
  /** Publishes the client reported to the caller as failed (never claimed as sent). */
  unconfirmed: number;
  /** Distinct task ids whose handler started. */
  run: number;
  /** Distinct task ids whose handler finished. */
  succeeded: number;
  /** Extra finished runs beyond the first, over all task ids. */
  duplicated: number;
  /** Confirmed task ids that never finished. */
  lost: number;
}

export function readLedger(path: string): LedgerRuns {
  const started = new Map<string, number>();
  const done = new Map<string, number>();
  const pids = new Map<string, Set<string>>();
  const text = existsSync(path) ? readFileSync(path, 'utf8') : '';
  for (const line of text.split('\n')) {
    const [event, id, pid] = line.split(' ');
    if (!id || !pid || (event !== 'S' && event !== 'D')) continue;
    const counter = event === 'S' ? started : done;
    counter.set(id, (counter.get(id) ?? 0) + 1);
    pids.set(id, (pids.get(id) ?? new Set()).add(pid));
  }
  return { started, done, pids };
}

/** What the producer knows: every id it tried to send, and those the broker confirmed. */
export interface Sends {
  readonly attempted: readonly string[];
  readonly confirmed: ReadonlySet<string>;
}

export function tally(sends: Sends, runs: LedgerRuns): Counts {
  let duplicated = 0;
  for (const count of runs.done.values()) duplicated += count - 1;
  const lost = [...sends.confirmed].filter((id) => !runs.done.has(id)).length;
  return {
    sent: sends.attempted.length,
    confirmed: sends.confirmed.size,
    unconfirmed: sends.attempted.length - sends.confirmed.size,
    run: runs.started.size,
    succeeded: runs.done.size,
    duplicated,
    lost,
  };
}

/** Ids that ran more than once to completion: each must have been in flight at a fault. */
export function duplicatedIds(runs: LedgerRuns): string[] {
  return [...runs.done].filter(([, count]) => count > 1).map(([id]) => id);
}
