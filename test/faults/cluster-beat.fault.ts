/**
 * Issue 13, item 4 (b): two spawned beats on one store file (a hot standby), each given all three
 * URLs of a cluster of the suite's own in its own order: the leader tries node 3 first, so its
 * lock (an exclusive queue, which lives on the node of its connection) is there; the standby
 * tries node 1 first. Node 3 is SIGKILLed mid-period: the old leader stops firing, one of the
 * two (the standby, or the old leader reconnected through node 1) leads within the failover
 * window, and every slot of the every-second schedule (missedRuns 'all') runs once, none missing,
 * on a quorum queue consumed by an in-process worker given all three URLs.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'chai';
import { BeatDir, futureAnchor, stopGracefully } from '../support/beat-harness.js';
import { eventually, uniqueName } from '../support/broker.js';
import { SpawnedCli } from '../support/spawned-cli.js';
import {
  LEADING,
  NOT_LEADER,
  STANDBY,
  SlotGrid,
  firedIds,
  intervalWork,
  lateness,
  loggedTimes,
} from './support/beat-pair.js';
import { ClusterFixture, seconds } from './support/cluster-fixture.js';
import { RunLog, declareQuorumQueue, queueRow } from './support/cluster-runs.js';
import { tally } from './support/ledger.js';
import { recordCase } from './support/results.js';

const EVERY_MS = 1000;
const FIRES_BETWEEN = 3;
const STEP_TIMEOUT_MS = 30_000;
/** How long the standby may take to lead after the leader's node dies. */
const FAILOVER_WINDOW_MS = 15_000;

describe("fault: the cluster node of the beat leader's lock SIGKILLed", function () {
  this.timeout(300_000);
  const fx = new ClusterFixture();
  const beats: SpawnedCli[] = [];
  let dir: BeatDir | undefined;

  before(() => fx.start());
  after(async () => {
    await Promise.all(beats.map((beat) => beat.stop()));
    await dir?.remove();
    await fx.destroy();
  });

  async function startBeat(urls: readonly string[], scheduleFile: string, expect: 'leading' | 'standby') {
    if (!dir) throw new Error('no beat directory');
    const args = ['beat', '--store', dir.storeUrl, '--schedule', scheduleFile, '--log-level', 'debug'];
    const beat = SpawnedCli.start(args, { CELERIAC_BROKER: urls.join(';'), CELERIAC_QUEUE_TYPE: 'quorum' });
    beats.push(beat);
    await beat.waitForLog((line) => line.message === (expect === 'leading' ? LEADING : STANDBY), STEP_TIMEOUT_MS);
    return beat;
  }

  it('a beat leads again within the failover window and every slot fires once', async () => {
    const queue = uniqueName('faults.cluster.beat');
    const name = uniqueName('faults.cluster.every-second');
    const log = new RunLog();
    dir = await BeatDir.create();
    await declareQuorumQueue(fx.node(0).url, queue);
    await fx.startWorkers(queue, log, [0]);
    const grid = new SlotGrid(name, futureAnchor(EVERY_MS, 3000), EVERY_MS);
    const file = await dir.writeSchedules([intervalWork(name, queue, grid.anchor, EVERY_MS)]);
    const lockNode = fx.node(2);
    const leader = await startBeat(fx.urlsFrom(2), file, 'leading');
    const standby = await startBeat(fx.urlsFrom(0), file, 'standby');
    const finished = () => log.doneIds().size;
    const firesReach = (count: number) => eventually(() => (finished() >= count ? true : undefined), STEP_TIMEOUT_MS);
    await firesReach(FIRES_BETWEEN);

    const killedAt = grid.midSlotAfter(Date.now());
    await sleep(killedAt - Date.now());
    await lockNode.kill();
    fx.nodes = fx.nodes.slice(0, 2);
    // Either beat may lead next: the old leader's connection moves to node 1 at once and it
    // competes for the lock again like the standby; what counts is that one of them leads.
    const next = await eventually(() => ledAfter([leader, standby], killedAt), FAILOVER_WINDOW_MS).catch(
      (error: Error) => {
        error.message += `\n--- old leader ---\n${leader.stderr}\n--- standby ---\n${standby.stderr}`;
        throw error;
      },
    );
    const tookOverAt = next.at;
    const nextName = next.beat === leader ? 'the old leader (reconnected through node 1)' : 'the standby';
    await firesReach(finished() + FIRES_BETWEEN);

    expect(await stopGracefully(standby), 'the new leader stops gracefully').to.deep.equal({ code: 0, signal: null });
    expect(await stopGracefully(leader), 'the old leader stops gracefully').to.deep.equal({ code: 0, signal: null });
    const fired = firedIds([leader, standby]);
    await fx.drain(log, new Set(fired), queue, fx.node(0));
    expect((await queueRow(fx.node(0), queue)).messages).to.equal(0);

    const runs = log.ledger();
    const ran = grid.indexOf([...runs.done.keys()], Date.now());
    expect(ran, 'every task run is a slot of the schedule').not.to.include(-1);
    expect(log.duplicates(new Set()), 'slots run twice').to.deep.equal({
      redelivered: [],
      deadLettered: [],
      unexplained: [],
    });
    expect(fired.length, 'slots the beats fired twice').to.equal(new Set(fired).size);
    const [first, last] = [Math.min(...ran), Math.max(...ran)];
    const expected = grid.idsThrough(grid.anchor + last * EVERY_MS).slice(first);
    expect(new Set(fired), `every slot from ${first} to ${last}, none missing`).to.deep.equal(new Set(expected));
    const counts = tally({ attempted: expected, confirmed: new Set(fired) }, runs);
    expect(counts.lost, 'fired slots never run').to.equal(0);
    expect(firedIds([leader]), 'slots the first leader fired').not.to.be.empty;
    const lostAt = loggedTimes(leader, NOT_LEADER)[0] ?? Number.NaN;
    expect(lostAt - killedAt, 'the old leader stops firing when its node dies').to.be.below(FAILOVER_WINDOW_MS);
    const other = next.beat === leader ? standby : leader;
    const stoodBy = loggedTimes(other, STANDBY).some((at) => at > killedAt);
    const notes = [
      `every ${EVERY_MS / 1000} s, missedRuns 'all', two beats on one store file given all three URLs (the leader node 3 first, the standby node 1 first), an in-process worker on a quorum queue`,
      `node 3 (the leader's lock and send connections) SIGKILLed mid-period: the old leader logged losing the lead ${seconds(lostAt - killedAt)} s after; ${nextName} led ${seconds(tookOverAt - killedAt)} s after the kill (window ${FAILOVER_WINDOW_MS / 1000} s)${stoodBy ? '; the other stood by' : ''}`,
      `${firedIds([leader]).length} slots fired by the first beat, ${firedIds([standby]).length} by the other, each once; slots due during the failover fired late, not lost: at most ${Math.max(...lateness([leader, standby]))} ms after their time`,
    ];
    console.log(`    ${JSON.stringify(counts)}\n    ${notes.join('\n    ')}`);
    recordCase("cluster: the node of the beat leader's lock SIGKILLed", counts, notes);
  });
});

/** The first "beat leading" logged after `since` by any of `beats`. */
function ledAfter(beats: readonly SpawnedCli[], since: number): { beat: SpawnedCli; at: number } | undefined {
  const led = beats.flatMap((beat) => loggedTimes(beat, LEADING).map((at) => ({ beat, at })));
  return led.filter((entry) => entry.at > since).sort((a, b) => a.at - b.at)[0];
}
