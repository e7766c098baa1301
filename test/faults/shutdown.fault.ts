/**
 * Issue 7, worker side: SIGTERM with tasks in flight. A task shorter than the shutdown timeout
 * finishes where it runs; one longer than it, and those still waiting for a slot, go back to the
 * queue; a second worker finishes them. Nothing is lost and nothing runs to completion twice.
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { Client } from '@celeriac/client';
import { eventually, uniqueName } from '../support/broker.js';
import type { SpawnedCli } from '../support/spawned-cli.js';
import { deleteFaultQueues, readyCount } from './support/fault-queues.js';
import { faultBroker } from './support/global-broker.js';
import { readLedger, tally } from './support/ledger.js';
import { LedgerByPid } from './support/ledger-pids.js';
import { Producer } from './support/producer.js';
import { recordCase } from './support/results.js';
import { pidOf, startLedgerWorker, stopGracefully, unexpectedLogs } from './support/worker-fleet.js';

const SHUTDOWN_TIMEOUT_S = 1;
/**
 * Past the shutdown timeout, the abort grace and the CLI's linger together (about 4 s): the
 * handler ignores its abort signal, and must still be asleep when its process exits.
 */
const LONG_MS = 8000;
const SHORT_MS = 300;
const LONG_TASKS = 2;
const SHORT_TASKS = 30;
const WORKER_FLAGS = ['--concurrency', '4', '--shutdown-timeout', String(SHUTDOWN_TIMEOUT_S)];
const HANDED_BACK_LOG = 'task handed back to its queue: the worker is stopping';
const GAVE_UP_LOG = 'shutdown timeout: aborting running tasks; their messages go back to the queue';
const REDELIVERED_LOG = 'task redelivered: a worker stopped before acknowledging it; counting the delivery';
const FINISH_TIMEOUT_MS = 60_000;

interface InFlight {
  long: string[];
  short: string[];
}

describe('fault: SIGTERM to a worker with tasks in flight', () => {
  const queue = uniqueName('faults.shutdown');
  let dir: string;
  let ledger: string;
  let client: Client;
  const workers: SpawnedCli[] = [];

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'celeriac-faults-shutdown-'));
    ledger = join(dir, 'ledger');
    client = new Client({ brokerUrl: faultBroker().url, resultBackend: null });
  });

  after(async () => {
    await Promise.all(workers.map((worker) => worker.stop()));
    await client?.close();
    await deleteFaultQueues(queue);
    await rm(dir, { recursive: true, force: true });
  });

  it('lets short tasks finish, hands long and waiting ones back, and a second worker finishes them', async () => {
    const sends = new Producer(client, queue);
    const long = await sends.send(Array<number>(LONG_TASKS).fill(LONG_MS));
    await sends.send(Array<number>(SHORT_TASKS).fill(SHORT_MS));
    const first = await startLedgerWorker(queue, ledger, WORKER_FLAGS);
    workers.push(first);
    const inFlight = await waitForMixedLoad(ledger, first, long);

    const stopped = await stopWithTasksInFlight(first, inFlight, { queue, ledger, sends });

    const second = await startLedgerWorker(queue, ledger, WORKER_FLAGS);
    workers.push(second);
    await eventually(() => (tally(sends, readLedger(ledger)).lost === 0 ? true : undefined), FINISH_TIMEOUT_MS);
    expect(await stopGracefully(second)).to.deep.equal({ code: 0, signal: null });
    expect(await readyCount(queue), 'nothing is left in the queue').to.equal(0);
    expect(
      long.filter((id) => !LedgerByPid.read(ledger).doneBy(pidOf(second)).has(id)),
      'the second worker finished the long tasks',
    ).to.deep.equal([]);
    expect(
      [...unexpectedLogs(first, [GAVE_UP_LOG]), ...unexpectedLogs(second, [REDELIVERED_LOG])],
      'no other warning or error',
    ).to.deep.equal([]);

    const counts = tally(sends, readLedger(ledger));
    expect(counts).to.include({
      sent: LONG_TASKS + SHORT_TASKS,
      confirmed: LONG_TASKS + SHORT_TASKS,
      unconfirmed: 0,
      succeeded: LONG_TASKS + SHORT_TASKS,
      duplicated: 0,
      lost: 0,
    });
    recordCase('SIGTERM with tasks in flight', counts, [
      `SIGTERM (--shutdown-timeout ${SHUTDOWN_TIMEOUT_S}) with ${inFlight.long.length} tasks of ${LONG_MS / 1000} s and ${inFlight.short.length} of ${SHORT_MS} ms running`,
      `${stopped.finished} tasks finished in the stopped worker; the ${LONG_TASKS} long ones went back when it gave up on them, ${stopped.handedBack} waiting for a slot were handed back`,
      `a second worker ran the other ${counts.succeeded - stopped.finished}, the long ones included`,
    ]);
  });
});

/**
 * SIGTERMs the worker and checks what it did with each task it held: short ones running finished
 * there, long ones did not, and everything unfinished is back in the queue.
 */
async function stopWithTasksInFlight(
  first: SpawnedCli,
  inFlight: InFlight,
  { queue, ledger, sends }: { queue: string; ledger: string; sends: Producer },
): Promise<{ finished: number; handedBack: number }> {
  expect(await stopGracefully(first), 'SIGTERM stops the worker cleanly').to.deep.equal({ code: 0, signal: null });
  const done = LedgerByPid.read(ledger).doneBy(pidOf(first));
  expect(
    inFlight.short.filter((id) => !done.has(id)),
    'short tasks running at SIGTERM finished there',
  ).to.deep.equal([]);
  expect(
    inFlight.long.filter((id) => done.has(id)),
    'no long task finished in the stopped worker',
  ).to.deep.equal([]);
  expect(await readyCount(queue), 'every unfinished task is back in the queue').to.equal(
    sends.confirmed.size - done.size,
  );
  const handedBack = first.logs().filter((line) => line.message === HANDED_BACK_LOG).length;
  expect(handedBack, 'prefetched tasks waiting for a slot were handed back').to.be.greaterThan(0);
  expect(
    first.logs().some((line) => line.message === GAVE_UP_LOG),
    'the long tasks outlived the timeout',
  ).to.equal(true);
  return { finished: done.size, handedBack };
}

/** Waits until the worker runs both long tasks and at least one short one; those are the ones in flight at SIGTERM. */
async function waitForMixedLoad(ledger: string, worker: SpawnedCli, long: readonly string[]): Promise<InFlight> {
  return eventually(() => {
    const running = LedgerByPid.read(ledger).interruptedIn(pidOf(worker));
    const inFlight = {
      long: running.filter((id) => long.includes(id)),
      short: running.filter((id) => !long.includes(id)),
    };
    return inFlight.long.length === long.length && inFlight.short.length > 0 ? inFlight : undefined;
  }, FINISH_TIMEOUT_MS).catch((error: Error) => {
    error.message += `\n--- ledger ---\n${readFileSync(ledger, 'utf8')}\n--- worker ---\n${worker.stderr}`;
    throw error;
  });
}
