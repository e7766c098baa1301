/**
 * Why a task ran twice. Under a broker fault a duplicate is legitimate only when the broker
 * handed the task out again because the channel it was delivered on closed before its ack got
 * through. The worker says so: its delivery-count gate logs every `redelivered` message, with
 * the task id, before it runs the copy. A duplicate without such a line came from somewhere else
 * (a double publish, a double run in one delivery): a bug.
 */
import type { SpawnedCli } from '../../support/spawned-cli.js';
import { duplicatedIds, type LedgerRuns } from './ledger.js';

/** packages/worker/src/gates/delivery-count-gate.ts, logged (warn) for each redelivered message. */
export const REDELIVERED_MESSAGE = 'task redelivered: a worker stopped before acknowledging it; counting the delivery';

/** Task ids some worker received back from the broker as redelivered. */
export function redeliveredIds(workers: readonly SpawnedCli[]): Set<string> {
  const ids = workers.flatMap((worker) =>
    worker
      .logs()
      .filter((line) => line.message === REDELIVERED_MESSAGE)
      .map((line) => line.taskId),
  );
  return new Set(ids.filter((id): id is string => typeof id === 'string'));
}

/** Ids that ran more than once with no redelivery to explain it. */
export function unexplainedDuplicates(runs: LedgerRuns, workers: readonly SpawnedCli[]): string[] {
  const redelivered = redeliveredIds(workers);
  return duplicatedIds(runs).filter((id) => !redelivered.has(id));
}

/** Warnings of one kind across the workers, e.g. how many times they lost their connections. */
export function countLogs(workers: readonly SpawnedCli[], message: string): number {
  return workers.reduce((sum, worker) => sum + worker.logs().filter((line) => line.message === message).length, 0);
}
