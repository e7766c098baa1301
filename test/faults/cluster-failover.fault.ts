/**
 * Issue 13, item 4 (a): on a three-node cluster of the suite's own, the node that leads the quorum
 * task queue and the quorum delay lanes SIGKILLed while a client publishes, two workers consume
 * and countdown tasks wait in the lanes; client and workers are given all three URLs. Every
 * confirmed task runs, every countdown task arrives and not early, each duplicate is explained
 * (a redelivery, or a lane's at-least-once dead-letter copy), and the time until tasks flow
 * again is reported. Counted as the other fault cases.
 *
 * The countdown tasks are judged in a case of their own: RabbitMQ 3.10 before 3.10.20 (Debian's
 * 3.10.8 here) can strand at-least-once dead-lettered messages in a lane whose target's leader
 * died (found here, see STRANDED_BY_BROKER): on such a broker a run that strands some is pending
 * with the count it saw; otherwise the case must pass.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { eventually, uniqueName } from '../support/broker.js';
import { work } from './fixtures/ledger-tasks.js';
import { ClientLog, ClusterFixture, seconds } from './support/cluster-fixture.js';
import { RunLog, declareQuorumQueue, queueRow, queueRows, type QueueRow } from './support/cluster-runs.js';
import { tally, type Counts } from './support/ledger.js';
import type { ClusterNode } from './support/rabbit-cluster.js';
import { recordCase } from './support/results.js';
import { SteadyPublisher } from './support/steady-publisher.js';

const LOAD = { perSecond: 100, window: 10, taskMs: 10 };
/** The honest failures of a send during a failover: the outcome unknown, or the broker refused it. */
const UNCONFIRMED = 'PublishError:PUBLISH_UNCONFIRMED';
const NACKED = 'PublishError:PUBLISH_NACKED';

/**
 * Seen in 3 runs of 7 with 3.10.8: 26-84 countdown tasks stuck in one lane for good (`messages`
 * counts them, `messages_ready` does not): its new leader's rabbit_fifo_dlx_worker holds 32
 * unconfirmed forwards to a target whose leader was the killed node, and never retries them
 * (still there 255 s after the kill, past the worker's 180 s settle timeout). The DLX worker's
 * failover handling was reworked in 3.10.20 (rabbitmq-server#7677, 08fd7a71dd and d7adbc6c46).
 */
const STRANDED_BY_BROKER =
  'RabbitMQ before 3.10.20 strands at-least-once dead-lettered messages in a delay lane when the node leading its target dies (rabbitmq-server#7677)';
/** How long past the last eta a countdown task may take before it counts as stranded. */
const COUNTDOWN_GRACE_MS = 60_000;

interface CountdownOutcome {
  brokerVersion: string;
  stranded: string[];
  lanes: string;
}

describe('fault: a cluster node leading the task queue SIGKILLed under load', function () {
  this.timeout(300_000);
  const fx = new ClusterFixture();
  let countdowns: CountdownOutcome | null = null;

  before(() => fx.start());
  afterEach(() => fx.stopCase());
  after(() => fx.destroy());

  it('the node leading the task queue and the delay lanes SIGKILLed under load: every confirmed task runs, no countdown early', async () => {
    const queue = uniqueName('faults.cluster.kill');
    const events = new ClientLog();
    const log = new RunLog();
    const leader = fx.node(0);
    await declareQuorumQueue(leader.url, queue);
    const before = await queueRow(leader, queue);
    expect(before.leader).to.equal(leader.name);
    expect(before.members).to.have.members(fx.nodes.map((candidate) => candidate.name));
    const client = fx.newClient('kill', events);
    await fx.startWorkers(queue, log, [0, 1]);
    const publisher = new SteadyPublisher(client, { queue, ...LOAD });
    publisher.start();
    await sleep(2000);

    // Countdown tasks of 3 to 8 s: they wait in the quorum lanes (declared through node 1) at the kill.
    const delayed = new Map<string, number>();
    const delayedFailed: string[] = [];
    await Promise.all(
      Array.from({ length: 100 }, async (_, i) => {
        const taskId = randomUUID();
        const countdown = 3 + (i % 6);
        const eta = Date.now() + countdown * 1000;
        try {
          await client.send(work, [0], { queue, taskId, countdown });
          delayed.set(taskId, eta);
        } catch {
          delayedFailed.push(taskId);
        }
      }),
    );
    const lanes = (await queueRowsNamed(leader, 'celery_delayed_')).filter((row) => row.leader === leader.name);
    await sleep(1000);
    const killedAt = Date.now();
    await leader.kill();
    fx.nodes = fx.nodes.slice(1);
    const survivor = fx.node(0);
    const reconnectedAt = await eventually(() => events.firstAfter('connected', killedAt), 60_000);
    // Tasks flow again: the first run of a send started after the kill.
    const resumedAt = await eventually(() => {
      const after = new Set(publisher.startedBetween(killedAt, Infinity).map((send) => send.id));
      return log.runs.find((run) => after.has(run.id))?.startedAt;
    }, 60_000).catch(async (error: unknown) => {
      const sinceKill = publisher.startedBetween(killedAt, Infinity);
      console.log(
        `    no flow: client ${events.timeline}; sends since kill ${sinceKill.length}, confirmed ${sinceKill.filter((s) => s.outcome === 'confirmed').length}, failed ${sinceKill.filter((s) => s.outcome === 'failed').length}; runs since kill ${log.runs.filter((r) => r.startedAt > killedAt).length}; queue ${JSON.stringify(await queueRow(survivor, queue).catch(String))}`,
      );
      console.log(`    fresh channel on ${survivor.name}: ${await freshPublish(survivor.url, queue)}`);
      console.log(`    errors: ${[...new Set(sinceKill.map((s) => s.error))].join(', ')}`);
      console.log(`    client warnings: ${events.problems.slice(0, 10).join('\n')}`);
      throw error;
    });
    await sleep(3000);
    await publisher.stop();
    const confirmed = new Set(publisher.sends.confirmed);
    await fx.drain(log, confirmed, queue, survivor);
    const lastEta = Math.max(...delayed.values());
    await eventually(
      () => (log.missing(delayed.keys()).length === 0 ? true : undefined),
      lastEta + COUNTDOWN_GRACE_MS - Date.now(),
    ).catch(() => undefined);
    countdowns = {
      brokerVersion: await brokerVersion(survivor),
      stranded: log.missing(delayed.keys()),
      lanes: JSON.stringify((await queueRowsNamed(survivor, 'celery_delayed_')).filter((row) => row.messages > 0)),
    };
    const after = await queueRow(survivor, queue);

    const sends = { attempted: [...publisher.sends.attempted], confirmed };
    const counts: Counts = tally(sends, log.ledger(new Set(sends.attempted)));
    const duplicates = log.duplicates(new Set(delayed.keys()));
    const firstRun = new Map<string, number>();
    for (const run of log.runs) if (!firstRun.has(run.id)) firstRun.set(run.id, run.startedAt);
    const early = [...delayed].filter(([id, eta]) => (firstRun.get(id) ?? Infinity) < eta);
    const late = [...delayed].map(([id, eta]) => (firstRun.get(id) ?? Number.NaN) - eta);
    expect(counts.lost, 'confirmed tasks never run').to.equal(0);
    expect(early, 'countdown tasks run before their eta').to.deep.equal([]);
    expect(duplicates.unexplained, 'duplicates without a redelivery or a dead-letter copy behind them').to.deep.equal(
      [],
    );
    expect(
      publisher.failed().filter((send) => send.error !== UNCONFIRMED && send.error !== NACKED),
      'sends that failed otherwise than PUBLISH_UNCONFIRMED or PUBLISH_NACKED',
    ).to.deep.equal([]);
    expect(after.leader, 'the new leader').not.to.equal(leader.name);
    const pending = publisher.pendingAt(killedAt);
    const failedWith = (error: string) => publisher.failed().filter((send) => send.error === error).length;
    const notes = [
      `quorum queue and ${lanes.length} quorum delay lanes led by node 1, client (first URL node 1) and 2 in-process workers (first URLs node 1, node 2) given all three URLs; ${LOAD.perSecond} sends/s of ${LOAD.taskMs} ms tasks and ${delayed.size} countdown tasks of 3-8 s waiting in the lanes when node 1 was SIGKILLed`,
      `client connected again ${seconds(reconnectedAt - killedAt)} s after the kill; tasks flowed again (first run of a send started after the kill) ${seconds(resumedAt - killedAt)} s after it; new queue leader ${after.leader}`,
      `${pending.length} sends were waiting for their confirm at the kill; ${failedWith(UNCONFIRMED)} sends rejected PUBLISH_UNCONFIRMED and ${failedWith(NACKED)} PUBLISH_NACKED in all (the client then publishes on a fresh channel), ${publisher.failed().filter((send) => log.doneIds().has(send.id)).length} of which reached the queue anyway and ran`,
      `${delayed.size - countdowns.stranded.length} of ${delayed.size} countdown tasks ran (${delayedFailed.length} sends of them failed), none early; lateness ${Math.round(Math.min(...late.filter(Number.isFinite)))} to ${Math.round(Math.max(...late.filter(Number.isFinite)))} ms; ${countdowns.stranded.length} stranded in the lanes (the next case)`,
      `${counts.duplicated} duplicate runs: ${duplicates.redelivered.length} ids redelivered (acks lost with node 1), ${duplicates.deadLettered.length} countdown ids copied by at-least-once dead-lettering`,
    ];
    console.log(`    ${JSON.stringify(counts)}\n    ${notes.join('\n    ')}`);
    recordCase('cluster: the node leading the task queue and the delay lanes SIGKILLed under load', counts, notes);
  });

  it('every countdown task waiting in the quorum lanes at that kill arrives', function () {
    if (!countdowns) throw new Error('the kill case did not get as far as the countdown tasks');
    const { brokerVersion: version, stranded, lanes } = countdowns;
    console.log(
      `    RabbitMQ ${version}: ${stranded.length} countdown tasks stranded; lanes holding messages ${lanes}`,
    );
    if (stranded.length > 0 && strandsDeadLetters(version)) {
      console.log(`    pending: ${STRANDED_BY_BROKER}`);
      this.skip();
    }
    expect(stranded, `countdown tasks not run ${COUNTDOWN_GRACE_MS} ms after the last eta`).to.deep.equal([]);
  });
});

/** 3.10.x before 3.10.20: the versions without the DLX worker's failover fixes. */
function strandsDeadLetters(version: string): boolean {
  const [major, minor, patch] = version.split('.').map(Number);
  return major === 3 && minor === 10 && (patch ?? 0) < 20;
}

async function brokerVersion(node: ClusterNode): Promise<string> {
  return (await node.ctl(['eval', 'rabbit_misc:version().'])).trim().replace(/"/g, '');
}

async function queueRowsNamed(from: ClusterNode, prefix: string): Promise<QueueRow[]> {
  return (await queueRows(from)).filter((row) => row.name.startsWith(prefix));
}

/** Whether a publish on a brand-new connection and confirm channel is confirmed (a diagnosis). */
async function freshPublish(url: string, queue: string): Promise<string> {
  const { connect } = await import('amqplib');
  const connection = await connect(url);
  try {
    const channel = await connection.createConfirmChannel();
    channel.sendToQueue(queue, Buffer.from('{}'), { persistent: true });
    await channel.waitForConfirms();
    return 'confirmed';
  } catch (error) {
    return `failed: ${String(error)}`;
  } finally {
    await connection.close().catch(() => undefined);
  }
}
