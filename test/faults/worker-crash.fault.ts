/**
 * Issue 7, worker side: workers SIGKILLed in the middle of tasks, again and again. Nothing a
 * worker held may be lost (acks come after the run), and a task may run twice only when its
 * worker died between finishing it and acknowledging it.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'chai';
import { Client } from '@celeriac/client';
import { eventually, uniqueName } from '../support/broker.js';
import { deleteFaultQueues, readyCount } from './support/fault-queues.js';
import { faultBroker } from './support/global-broker.js';
import { duplicatedIds, readLedger, tally, type Counts, type Sends } from './support/ledger.js';
import { LedgerByPid } from './support/ledger-pids.js';
import { Producer, randomDurations } from './support/producer.js';
import { recordCase } from './support/results.js';
import { WorkerFleet, unexpectedLogs } from './support/worker-fleet.js';

const TASKS = 4000;
const KILLS = 5;
/** Few slots and a deep prefetch: each kill catches tasks running and more waiting unacked. */
const WORKER_FLAGS = ['--concurrency', '2', '--prefetch-multiplier', '4'];
const FINISH_TIMEOUT_MS = 60_000;
/** The one warning a kill causes: the survivors count the redeliveries of what the dead one held. */
const REDELIVERED_LOG = 'task redelivered: a worker stopped before acknowledging it; counting the delivery';

describe('fault: a worker SIGKILLed in the middle of tasks, repeatedly', () => {
  const queue = uniqueName('faults.crash');
  let dir: string;
  let ledger: string;
  let client: Client;
  let fleet: WorkerFleet;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'celeriac-faults-crash-'));
    ledger = join(dir, 'ledger');
    client = new Client({ brokerUrl: faultBroker().url, resultBackend: null });
    fleet = new WorkerFleet(queue, ledger, WORKER_FLAGS);
  });

  after(async () => {
    await fleet?.destroy();
    await client?.close();
    await deleteFaultQueues(queue);
    await rm(dir, { recursive: true, force: true });
  });

  it('completes every confirmed task; duplicates only of tasks a killed worker had finished but not acked', async () => {
    const sends = new Producer(client, queue);
    await sends.send(randomDurations(TASKS, 5, 20));
    expect([...sends.failures.values()], 'no fault touches the broker here: every send is confirmed').to.deep.equal([]);
    await fleet.start(2);
    const kills = await killRepeatedly(fleet, ledger);
    await waitUntilAllDone(sends, ledger);
    const exits = await fleet.stopAll();
    expect(exits, 'the last workers stop gracefully').to.deep.equal(exits.map(() => ({ code: 0, signal: null })));
    expect(await readyCount(queue), 'nothing is left in the queue').to.equal(0);

    const counts = tally(sends, readLedger(ledger));
    expect(counts).to.include({ sent: TASKS, confirmed: TASKS, unconfirmed: 0, run: TASKS, succeeded: TASKS, lost: 0 });
    expect(kills.interrupted, 'the kills caught tasks mid-run').to.be.greaterThan(0);
    expect(kills.doneAt.at(-1), 'work was still queued at the last kill').to.be.lessThan(TASKS);
    const finishedUnacked = expectDuplicatesFromKilledWorkers(ledger, fleet.killedPids);
    expect(
      fleet.started.flatMap((worker) => unexpectedLogs(worker, [REDELIVERED_LOG])),
      'no other warning or error in any worker',
    ).to.deep.equal([]);
    const redelivered = fleet.started
      .flatMap((worker) => worker.logs())
      .filter((line) => line.message === REDELIVERED_LOG).length;
    recordCase('worker SIGKILLed mid-task, repeatedly', counts, notes(counts, kills, redelivered, finishedUnacked));
  });
});

interface Kills {
  /** Tasks the killed workers had started and not finished. */
  interrupted: number;
  /** Tasks finished (anywhere) at each kill. */
  doneAt: number[];
}

/** Kills the older of the two workers every 1–2 s and starts a replacement. */
async function killRepeatedly(fleet: WorkerFleet, ledger: string): Promise<Kills> {
  const kills: Kills = { interrupted: 0, doneAt: [] };
  for (let kill = 0; kill < KILLS; kill++) {
    await sleep(1000 + Math.random() * 1000);
    const pid = await fleet.killOldest();
    kills.interrupted += LedgerByPid.read(ledger).interruptedIn(pid).length;
    kills.doneAt.push(readLedger(ledger).done.size);
    await fleet.start(1);
  }
  return kills;
}

async function waitUntilAllDone(sends: Sends, ledger: string): Promise<void> {
  await eventually(() => (tally(sends, readLedger(ledger)).lost === 0 ? true : undefined), FINISH_TIMEOUT_MS).catch(
    (error: Error) => {
      error.message += `: ${tally(sends, readLedger(ledger)).lost} confirmed tasks never finished`;
      throw error;
    },
  );
}

/**
 * A second finished run is only possible for a task whose first run finished in a worker that
 * was then killed before its ack reached the broker: each duplicated id has a done line from a
 * killed pid. Returns how many tasks were in that state.
 */
function expectDuplicatesFromKilledWorkers(ledger: string, killedPids: readonly number[]): number {
  const byPid = LedgerByPid.read(ledger);
  const finishedInKilled = new Set(killedPids.flatMap((pid) => [...byPid.doneBy(pid)]));
  const duplicated = duplicatedIds(readLedger(ledger));
  expect(
    duplicated.filter((id) => !finishedInKilled.has(id)),
    'duplicates whose first run was not in a killed worker',
  ).to.deep.equal([]);
  return duplicated.length;
}

function notes(counts: Counts, kills: Kills, redelivered: number, finishedUnacked: number): string[] {
  return [
    `${kills.doneAt.length} SIGKILLs of one of 2 workers (-c 2, prefetch 8), 1–2 s apart, each replaced, with ${kills.doneAt.join(', ')} tasks done`,
    `${kills.interrupted} tasks caught mid-run; ${redelivered} redeliveries of what the killed workers held, running or prefetched`,
    `${counts.duplicated} duplicate runs, of ${finishedUnacked} tasks each finished in a worker killed before its ack left`,
  ];
}
