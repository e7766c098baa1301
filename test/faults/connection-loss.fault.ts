/**
 * Issue 7, broker side: the broker closes every client connection (`rabbitmqctl
 * close_all_connections`, 320 CONNECTION_FORCED) several times while a client in this process
 * publishes and two spawned workers consume. Each time the client and the workers must come back
 * by themselves; confirmed sends all run, sends caught by a close fail with a clear error.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'chai';
import { eventually } from '../support/broker.js';
import type { SpawnedCli } from '../support/spawned-cli.js';
import { drainAndStopWorkers } from './support/drain.js';
import { CONNECTION_EVENTS } from './support/event-log.js';
import { faultBroker } from './support/global-broker.js';
import { LoadFixture } from './support/load-fixture.js';
import { readLedger, tally, type LedgerRuns } from './support/ledger.js';
import { waitForEveryWorker } from './support/recovery.js';
import { countLogs, redeliveredIds, unexplainedDuplicates } from './support/redelivery-proof.js';
import { recordCase } from './support/results.js';
import { SteadyPublisher } from './support/steady-publisher.js';

const LOAD = { perSecond: 400, window: 50, taskMs: 5 };
const CLOSES = 3;
const BETWEEN_MS = 2500;
const RECOVERY_TIMEOUT_MS = 30_000;
const UNCONFIRMED = 'PublishError:PUBLISH_UNCONFIRMED';

describe('fault: the broker closes every connection, several times, under load', () => {
  const fixture = new LoadFixture('close-all');
  const { queue, events } = fixture;

  before(() => fixture.open());

  after(() => fixture.close());

  it(`runs every confirmed send across ${CLOSES} forced closes; client and workers reconnect each time`, async () => {
    const { client, ledger } = fixture;
    const workers = await fixture.startWorkers();
    const publisher = new SteadyPublisher(client, { queue, ...LOAD });
    publisher.start();
    const recoveries: number[] = [];
    for (let close = 1; close <= CLOSES; close++) {
      await sleep(BETWEEN_MS);
      const closedAt = Date.now();
      await faultBroker().closeAllConnections(`celeriac fault case: close ${close} of ${CLOSES}`);
      // rabbitmqctl takes seconds to start: the close itself is when the client heard it.
      const lostAt = await eventually(() => events.firstAfter('lost', closedAt), RECOVERY_TIMEOUT_MS);
      const back = await eventually(() => events.firstAfter('connected', lostAt), RECOVERY_TIMEOUT_MS);
      await waitForEveryWorker(workers, ledger, publisher, back, RECOVERY_TIMEOUT_MS);
      recoveries.push(back - lostAt);
    }
    await sleep(BETWEEN_MS);
    await publisher.stop();
    await drainAndStopWorkers(workers, queue, ledger, publisher.sends.confirmed);

    const runs = readLedger(ledger);
    const counts = tally(publisher.sends, runs);
    expect(counts.lost, 'confirmed sends never run').to.equal(0);
    expect(
      publisher.failed().filter((send) => send.error !== UNCONFIRMED),
      'sends that failed otherwise than PUBLISH_UNCONFIRMED',
    ).to.deep.equal([]);
    expect(events.count('lost'), 'the client lost its connection once per close').to.equal(CLOSES);
    // Two connections per worker (consume, publish), each closed every time.
    expect(countLogs(workers, CONNECTION_EVENTS.lost), 'connections the workers lost').to.equal(
      CLOSES * 2 * workers.length,
    );
    expect(unexplainedDuplicates(runs, workers), 'duplicates without a redelivery behind them').to.deep.equal([]);
    recordCase(
      'all connections closed by the broker, 3 times, under load',
      counts,
      notes(recoveries, publisher, workers, runs),
    );
  });
});

function notes(
  recoveries: readonly number[],
  publisher: SteadyPublisher,
  workers: readonly SpawnedCli[],
  runs: LedgerRuns,
): string[] {
  const failed = publisher.failed();
  const reachedQueue = failed.filter((send) => runs.done.has(send.id)).length;
  return [
    `${CLOSES} × close_all_connections, ${BETWEEN_MS / 1000} s apart, at ${LOAD.perSecond} sends/s; the client reconnected ${recoveries.map((ms) => `${ms} ms`).join(', ')} after each`,
    `${failed.length} sends in flight at a close were rejected PUBLISH_UNCONFIRMED; ${reachedQueue} of them had reached the queue anyway and ran (outcome unknown, reported as such)`,
    `both workers lost and re-opened both their connections each time; ${redeliveredIds(workers).size} messages came back redelivered, every duplicate among them`,
  ];
}
