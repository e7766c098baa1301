/**
 * Issue 7, broker side: the whole RabbitMQ node stopped and started again (same data) while a
 * client in this process keeps publishing and two spawned workers consume. A send the client
 * resolved must be run; a send caught by the outage must fail with a clear error or wait and
 * succeed afterwards, never resolve unconfirmed; client and workers reconnect by themselves.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'chai';
import { eventually } from '../support/broker.js';
import type { SpawnedCli } from '../support/spawned-cli.js';
import { drainAndStopWorkers } from './support/drain.js';
import { CONNECTION_EVENTS } from './support/event-log.js';
import { readyCount } from './support/fault-queues.js';
import { faultBroker } from './support/global-broker.js';
import { LoadFixture } from './support/load-fixture.js';
import { readLedger, tally, type LedgerRuns } from './support/ledger.js';
import { countLogs, unexplainedDuplicates } from './support/redelivery-proof.js';
import { waitForEveryWorker } from './support/recovery.js';
import { recordCase } from './support/results.js';
import { SteadyPublisher, type SendRecord } from './support/steady-publisher.js';

const LOAD = { perSecond: 250, window: 20, taskMs: 5 };
/** Sent just before the stop, about 4.5 s of work for the two workers: confirmed tasks the node holds while it is down. */
const BACKLOG = 3000;
const BACKLOG_TASK_MS = 30;
/** Load before the stop, and the time the node stays down once stopped (its stop and boot take more). */
const BEFORE_MS = 3000;
const DOWN_MS = 2000;
const RECOVERY_TIMEOUT_MS = 60_000;
const UNCONFIRMED = 'PublishError:PUBLISH_UNCONFIRMED';

interface Outage {
  stopCalledAt: number;
  /** The node is fully down (rabbitmqctl stop returned)... */
  stoppedAt: number;
  /** ...until boot is called; the node accepts AMQP again at bootedAt. */
  bootCalledAt: number;
  bootedAt: number;
}

/** What the client saw: its connection lost and back; and what the node held when it stopped. */
interface Recovery {
  droppedAt: number;
  reconnectedAt: number;
  queuedAtStop: number;
}

describe('fault: the broker node stopped and started while a client publishes and workers consume', () => {
  const fixture = new LoadFixture('restart');
  const { queue, events } = fixture;
  let down = false;

  before(() => fixture.open());

  after(async () => {
    // A failure during the outage must not leave the suite's node down for the next cases.
    if (down) await faultBroker().boot();
    await fixture.close();
  });

  async function restartBroker(): Promise<Outage> {
    down = true;
    const stopCalledAt = Date.now();
    await faultBroker().stop();
    const stoppedAt = Date.now();
    await sleep(DOWN_MS);
    const bootCalledAt = Date.now();
    await faultBroker().boot();
    down = false;
    return { stopCalledAt, stoppedAt, bootCalledAt, bootedAt: Date.now() };
  }

  it('runs every confirmed send; sends during the outage fail clearly or succeed after it; client and workers reconnect', async () => {
    const { client, ledger } = fixture;
    const workers = await fixture.startWorkers();
    const publisher = new SteadyPublisher(client, { queue, ...LOAD });
    publisher.start();
    await sleep(BEFORE_MS);
    await publisher.burst(BACKLOG, BACKLOG_TASK_MS);
    const queuedAtStop = await readyCount(queue);
    const outage = await restartBroker();
    const reconnectedAt = await eventually(
      () => events.firstAfter('connected', outage.bootCalledAt),
      RECOVERY_TIMEOUT_MS,
    );
    await waitForEveryWorker(workers, ledger, publisher, reconnectedAt, RECOVERY_TIMEOUT_MS);
    await sleep(BEFORE_MS);
    await publisher.stop();
    await drainAndStopWorkers(workers, queue, ledger, publisher.sends.confirmed);

    const runs = readLedger(ledger);
    const counts = tally(publisher.sends, runs);
    expect(queuedAtStop, 'confirmed tasks waiting in the queue when the node stopped').to.be.greaterThan(0);
    expect(counts.lost, 'confirmed sends never run').to.equal(0);
    expect(
      publisher.failed().filter((send) => send.error !== UNCONFIRMED),
      'sends that failed otherwise than PUBLISH_UNCONFIRMED',
    ).to.deep.equal([]);
    expect(
      publisher.confirmedBetween(outage.stoppedAt, outage.bootCalledAt),
      `sends resolved while the node was down (client: ${events.timeline})`,
    ).to.deep.equal([]);
    const caught = publisher.pendingAt(outage.stoppedAt);
    expect(caught, 'sends waiting when the node went down').not.to.be.empty;
    expect(unexplainedDuplicates(runs, workers), 'duplicates without a redelivery behind them').to.deep.equal([]);
    expect(events.count('lost'), `the client saw its connection go (${events.timeline})`).to.equal(1);
    recordCase(
      'broker node stopped and restarted under load',
      counts,
      notes(
        outage,
        { droppedAt: events.firstAfter('lost', outage.stopCalledAt) ?? Number.NaN, reconnectedAt, queuedAtStop },
        caught,
        publisher,
        workers,
        runs,
      ),
    );
  });
});

function notes(
  outage: Outage,
  { droppedAt, reconnectedAt, queuedAtStop }: Recovery,
  caught: readonly SendRecord[],
  publisher: SteadyPublisher,
  workers: readonly SpawnedCli[],
  runs: LedgerRuns,
): string[] {
  const waited = caught.filter((send) => send.outcome === 'confirmed').length;
  const failed = publisher.failed();
  const reachedQueue = failed.filter((send) => runs.done.has(send.id)).length;
  return [
    `${queuedAtStop} confirmed tasks were queued when the node stopped (durable queue, persistent messages): all ran after the restart`,
    `rabbitmqctl stop took ${seconds(outage.stoppedAt - outage.stopCalledAt)} s and boot ${seconds(outage.bootedAt - outage.bootCalledAt)} s; the client, without a connection for ${seconds(reconnectedAt - droppedAt)} s, was back ${seconds(reconnectedAt - outage.bootedAt)} s after the node, by itself`,
    `${caught.length} sends were waiting when the node went down: ${waited} were confirmed after the restart, ${caught.length - waited} rejected PUBLISH_UNCONFIRMED; none resolved while the node was down`,
    `${failed.length} sends rejected in all, each PUBLISH_UNCONFIRMED; ${reachedQueue} of them had reached the queue anyway and ran (an unconfirmed outcome is unknown, not "not sent")`,
    `workers logged ${countLogs(workers, CONNECTION_EVENTS.lost)} lost connections and re-subscribed by themselves; every duplicate was a message the broker redelivered`,
  ];
}

function seconds(ms: number): string {
  return (ms / 1000).toFixed(1);
}
