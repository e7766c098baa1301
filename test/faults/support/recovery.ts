/**
 * After a fault: has every worker come back by itself? A worker that finished a task whose send
 * started after the fault was over has reconnected and re-subscribed on its own.
 */
import type { SpawnedCli } from '../../support/spawned-cli.js';
import { eventually } from '../../support/broker.js';
import { LedgerByPid } from './ledger-pids.js';
import type { SteadyPublisher } from './steady-publisher.js';
import { pidOf } from './worker-fleet.js';

export async function waitForEveryWorker(
  workers: readonly SpawnedCli[],
  ledger: string,
  publisher: SteadyPublisher,
  since: number,
  timeoutMs = 60_000,
): Promise<void> {
  await eventually(
    () => (everyWorkerRanOneOf(workers, ledger, sentSince(publisher, since)) ? true : undefined),
    timeoutMs,
  );
}

function sentSince(publisher: SteadyPublisher, since: number): Set<string> {
  return new Set(
    publisher
      .confirmed()
      .filter((send) => send.startedAt >= since)
      .map((send) => send.id),
  );
}

function everyWorkerRanOneOf(workers: readonly SpawnedCli[], ledger: string, ids: ReadonlySet<string>): boolean {
  const byPid = LedgerByPid.read(ledger);
  return workers.every((worker) => [...byPid.doneBy(pidOf(worker))].some((id) => ids.has(id)));
}
