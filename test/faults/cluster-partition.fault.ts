/**
 * Issue 13, item 4 (d): node 3 of a cluster of the suite's own cut off from the other two (a
 * partition: iptables drops its Erlang distribution traffic both ways, its AMQP port stays open)
 * while a client and two workers given all three URLs publish and consume a quorum queue led by
 * node 1; the client and one worker reach the cluster through node 3 first. The cluster runs
 * `pause_minority`, so node 3 stops serving once it sees itself alone and its clients move to
 * the majority. After a while the cut heals and node 3 rejoins. Every confirmed task runs, each
 * duplicate is a redelivery, and the times until tasks flow again and until node 3 rejoins are
 * reported. Counted as the other fault cases.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'chai';
import { eventually, uniqueName } from '../support/broker.js';
import { ClientLog, ClusterFixture, seconds } from './support/cluster-fixture.js';
import { RunLog, declareQuorumQueue, queueRow, waitForQuorumMembers } from './support/cluster-runs.js';
import { tally } from './support/ledger.js';
import { canPartition } from './support/rabbit-cluster.js';
import { recordCase } from './support/results.js';
import { SteadyPublisher } from './support/steady-publisher.js';

const LOAD = { perSecond: 100, window: 10, taskMs: 10 };
/** How long node 3 stays cut off once the majority has noticed. */
const CUT_MS = 10_000;
/** The honest failures of a send during a partition: the outcome unknown, or the broker refused it. */
const HONEST = new Set(['PublishError:PUBLISH_UNCONFIRMED', 'PublishError:PUBLISH_NACKED']);

describe('fault: a cluster node cut off from the others (partition) under load', function () {
  this.timeout(300_000);
  const fx = new ClusterFixture();

  before(async () => {
    // Not a skip: a machine that cannot cut a node off cannot prove this case.
    if (!(await canPartition()))
      throw new Error('the partition case needs root and iptables (apt-get install iptables)');
    await fx.start();
  });
  afterEach(async () => {
    await Promise.all(fx.nodes.map((node) => node.heal()));
    await fx.stopCase();
  });
  after(() => fx.destroy());

  it('node 3 partitioned away while tasks flow through it: every confirmed task runs, duplicates are redeliveries', async () => {
    const queue = uniqueName('faults.cluster.partition');
    const events = new ClientLog();
    const log = new RunLog();
    const [first, second, cut] = [fx.node(0), fx.node(1), fx.node(2)];
    await declareQuorumQueue(first.url, queue);
    const client = fx.newClient('partition', events, 2);
    await fx.startWorkers(queue, log, [2, 1]);
    const publisher = new SteadyPublisher(client, { queue, ...LOAD });
    publisher.start();
    await sleep(3000);

    const cutAt = Date.now();
    await cut.isolate();
    // Node 3 pauses (pause_minority) once its net ticks go unanswered, closing its clients' connections.
    const movedAt = await eventually(() => events.firstAfter('connected', cutAt), 60_000);
    const resumedAt = await eventually(() => {
      const after = new Set(publisher.startedBetween(movedAt, Infinity).map((send) => send.id));
      return log.runs.find((run) => after.has(run.id))?.startedAt;
    }, 60_000);
    const stall = longestGap(log.runs.map((run) => run.startedAt).filter((at) => at >= cutAt && at <= resumedAt));
    expect(await fx.cluster.runningNodes(first), 'the majority without node 3').to.have.length(2);
    await sleep(CUT_MS);
    const healAt = Date.now();
    await cut.heal();
    await fx.cluster.waitForRunning(3, first, 120_000);
    const rejoinedMs = Date.now() - healAt;
    const membersMs = await waitForQuorumMembers(second, 3);
    await sleep(3000);
    await publisher.stop();
    await fx.drain(log, publisher.sends.confirmed, queue, first);

    const counts = tally(publisher.sends, log.ledger());
    const duplicates = log.duplicates(new Set());
    expect(counts.lost, 'confirmed tasks never run').to.equal(0);
    expect(duplicates.unexplained, 'duplicates without a redelivery behind them').to.deep.equal([]);
    const dishonest = publisher.failed().filter((send) => !HONEST.has(send.error ?? ''));
    expect(dishonest, 'sends that failed otherwise than PUBLISH_UNCONFIRMED or PUBLISH_NACKED').to.deep.equal([]);
    const after = await queueRow(first, queue);
    expect(after.members, 'the queue has its three members again').to.have.length(3);
    const reached = publisher.failed().filter((send) => log.doneIds().has(send.id)).length;
    const notes = [
      `quorum queue led by node 1; the client and worker 1 given all three URLs starting with node 3, worker 2 starting with node 2; ${LOAD.perSecond} sends/s of ${LOAD.taskMs} ms tasks; pause_minority, net_ticktime 10 s`,
      `node 3 cut off (iptables on its distribution traffic, AMQP open): the client, publishing through node 3, was moved to another node ${seconds(movedAt - cutAt)} s after the cut (node 3 paused itself); a send made after that ran ${seconds(resumedAt - movedAt)} s later; the longest pause between task runs after the cut was ${seconds(stall)} s (worker 2, on node 2, kept running what reached the queue)`,
      `healed after ${seconds(healAt - cutAt)} s: node 3 running in the cluster again ${seconds(rejoinedMs)} s later, the queue's three members online ${seconds(membersMs)} s after that`,
      `client reconnected ${events.count('connected') - 1} times; ${publisher.failed().length} sends rejected PUBLISH_UNCONFIRMED or PUBLISH_NACKED (${reached} of them reached the queue anyway and ran)`,
      `${counts.duplicated} duplicate runs, each a redelivery (acks sent through node 3 did not reach the leader): ${duplicates.redelivered.length} ids`,
    ];
    console.log(`    ${JSON.stringify(counts)}\n    ${notes.join('\n    ')}`);
    recordCase('cluster: a node cut off from the others (partition) under load', counts, notes);
  });
});

/** The longest time between two consecutive instants (sorted here). */
function longestGap(instants: number[]): number {
  const sorted = [...instants].sort((a, b) => a - b);
  return sorted.reduce((gap, at, i) => Math.max(gap, at - (sorted[i - 1] ?? at)), 0);
}
