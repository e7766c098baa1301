/**
 * Issue 13, item 4 (c): a rolling restart of the three nodes of a cluster of the suite's own
 * (`rabbitmqctl stop_app`/`start_app`, one node at a time, waiting for three running nodes and
 * every quorum queue with its three members online in between) while a client and three workers
 * given all three URLs publish and consume a quorum queue: every confirmed task runs, duplicates
 * are redeliveries. Counted as the other fault cases.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'chai';
import { uniqueName } from '../support/broker.js';
import { ClientLog, ClusterFixture, seconds } from './support/cluster-fixture.js';
import { RunLog, declareQuorumQueue, waitForQuorumMembers } from './support/cluster-runs.js';
import { tally } from './support/ledger.js';
import { recordCase } from './support/results.js';
import { SteadyPublisher } from './support/steady-publisher.js';

const LOAD = { perSecond: 100, window: 10, taskMs: 10 };
const UNCONFIRMED = 'PublishError:PUBLISH_UNCONFIRMED';

describe('fault: a rolling restart of a three-node cluster under load', function () {
  this.timeout(300_000);
  const fx = new ClusterFixture();

  before(() => fx.start());
  afterEach(() => fx.stopCase());
  after(() => fx.destroy());

  it('rolling restart of all three nodes under load: every confirmed task runs', async () => {
    const queue = uniqueName('faults.cluster.rolling');
    const events = new ClientLog();
    const log = new RunLog();
    await declareQuorumQueue(fx.node(0).url, queue);
    const client = fx.newClient('rolling', events);
    await fx.startWorkers(queue, log, [0, 1, 2]);
    const publisher = new SteadyPublisher(client, { queue, ...LOAD });
    publisher.start();
    await sleep(2000);
    const steps: string[] = [];
    const restartStarted = Date.now();
    for (const [i, target] of fx.nodes.entries()) {
      const other = fx.node((i + 1) % fx.nodes.length);
      const stopAt = Date.now();
      await target.ctl(['stop_app'], 120_000);
      const stoppedMs = Date.now() - stopAt;
      await sleep(2000);
      const startAt = Date.now();
      await target.ctl(['start_app'], 120_000);
      const startedMs = Date.now() - startAt;
      await fx.cluster.waitForRunning(fx.nodes.length, other);
      const membersMs = await waitForQuorumMembers(other, fx.nodes.length);
      steps.push(
        `${target.name}: stop_app ${seconds(stoppedMs)} s, start_app ${seconds(startedMs)} s, all members online ${seconds(membersMs)} s later`,
      );
    }
    const restartMs = Date.now() - restartStarted;
    await sleep(2000);
    await publisher.stop();
    await fx.drain(log, publisher.sends.confirmed, queue, fx.node(0));

    const counts = tally(publisher.sends, log.ledger());
    const duplicates = log.duplicates(new Set());
    expect(counts.lost, 'confirmed tasks never run').to.equal(0);
    expect(duplicates.unexplained, 'duplicates without a redelivery behind them').to.deep.equal([]);
    expect(
      publisher.failed().filter((send) => send.error !== UNCONFIRMED),
      'sends that failed otherwise than PUBLISH_UNCONFIRMED',
    ).to.deep.equal([]);
    const reached = publisher.failed().filter((send) => log.doneIds().has(send.id)).length;
    const notes = [
      `quorum queue (3 replicas, leader on node 1 at the start), client and 3 in-process workers given all three URLs (each worker a different first node), ${LOAD.perSecond} sends/s of ${LOAD.taskMs} ms tasks`,
      `each node in turn: rabbitmqctl stop_app, 2 s down, start_app, then wait for 3 running nodes and every quorum queue with 3 members online; the whole restart took ${seconds(restartMs)} s`,
      ...steps,
      `client reconnected ${events.count('connected') - 1} times; ${publisher.failed().length} sends rejected PUBLISH_UNCONFIRMED (${reached} of them reached the queue anyway and ran)`,
      `${counts.duplicated} duplicate runs, each a redelivery (an ack lost with the stopped node's channel): ${duplicates.redelivered.length} ids`,
    ];
    console.log(`    ${JSON.stringify(counts)}\n    ${notes.join('\n    ')}`);
    recordCase('cluster: rolling restart of all three nodes under load', counts, notes);
  });
});
