/**
 * The end of a case: every confirmed task has finished and the queue is empty (nothing ready,
 * nothing held unacknowledged by a worker), so the ledger read afterwards holds every run there
 * will ever be, the unconfirmed sends that did reach the queue included.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'chai';
import type { SpawnedCli } from '../../support/spawned-cli.js';
import { faultBroker } from './global-broker.js';
import { readLedger } from './ledger.js';
import { stopGracefully } from './worker-fleet.js';

const POLL_MS = 250;

export async function waitUntilDrained(
  queue: string,
  ledger: string,
  confirmed: ReadonlySet<string>,
  timeoutMs = 90_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  await pollUntil(
    deadline,
    () => notDone(ledger, confirmed) === 0,
    () => `${notDone(ledger, confirmed)} of ${confirmed.size} confirmed tasks never finished`,
  );
  await pollUntil(
    deadline,
    async () => (await queueMessages(queue)) === 0,
    async () => `${await queueMessages(queue)} messages stayed in ${queue}`,
  );
}

/** Drains, then checks the workers came through the whole case alive and stop cleanly on SIGTERM. */
export async function drainAndStopWorkers(
  workers: readonly SpawnedCli[],
  queue: string,
  ledger: string,
  confirmed: ReadonlySet<string>,
): Promise<void> {
  await waitUntilDrained(queue, ledger, confirmed);
  expect(
    workers.map((worker) => worker.running),
    'workers still running: none crashed',
  ).to.deep.equal(workers.map(() => true));
  const exits = await Promise.all(workers.map(stopGracefully));
  expect(exits, 'workers stop gracefully').to.deep.equal(workers.map(() => ({ code: 0, signal: null })));
}

/** Messages in the queue, ready or unacknowledged, as the broker counts them. */
export async function queueMessages(queue: string): Promise<number> {
  const out = await faultBroker().ctl(['list_queues', '--quiet', '--no-table-headers', 'name', 'messages']);
  const count = out
    .split('\n')
    .find((row) => row.split('\t')[0] === queue)
    ?.split('\t')[1];
  if (count === undefined) throw new Error(`${queue} is not on ${faultBroker().node}`);
  return Number(count);
}

function notDone(ledger: string, confirmed: ReadonlySet<string>): number {
  const { done } = readLedger(ledger);
  return [...confirmed].filter((id) => !done.has(id)).length;
}

async function pollUntil(
  deadline: number,
  check: () => boolean | Promise<boolean>,
  failure: () => string | Promise<string>,
): Promise<void> {
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`not drained in time: ${await failure()}`);
    await sleep(POLL_MS);
  }
}
