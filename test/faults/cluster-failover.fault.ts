/**
 * Groundwork for issue 13, item 4: a three-node cluster of the suite's own, a quorum queue with
 * three replicas led by node 1, 100 confirmed tasks published through node 1, node 1 SIGKILLed
 * while a worker given all three URLs consumes, and every task run through the other nodes.
 * Reports how long after the kill tasks ran again; duplicates (acks lost with node 1) are counted.
 */
import { expect } from 'chai';
import { connect } from 'amqplib';
import { Client } from '@celeriac/client';
import { defineTask } from '@celeriac/core';
import { TaskRegistry, Worker } from '@celeriac/worker';
import { eventually, uniqueName } from '../support/broker.js';
import { startCluster, type ClusterNode, type RabbitCluster } from './support/rabbit-cluster.js';

const TASKS = 100;
const work = defineTask<[n: number], void>('celeriac.faults.cluster.work');

/**
 * Declares the queue on node 1, so its quorum leader is there (client-local placement). Without
 * `x-quorum-initial-group-size`: the broker checks it for equivalence, and Celeriac (as Celery)
 * declares none, so it would be a 406 for the client and the worker. On three nodes the default
 * group is all three, which replicasOf checks.
 */
async function declareQuorumQueue(url: string, queue: string): Promise<void> {
  const connection = await connect(url);
  try {
    const channel = await connection.createChannel();
    await channel.assertQueue(queue, { durable: true, arguments: { 'x-queue-type': 'quorum' } });
  } finally {
    await connection.close();
  }
}

/** The queue's leader and members as node `from` reports them. */
async function replicasOf(from: ClusterNode, queue: string): Promise<{ leader: string; members: string[] }> {
  const rows = JSON.parse(
    await from.ctl(['list_queues', 'name', 'leader', 'members', '--formatter', 'json']),
  ) as Array<{
    name: string;
    leader: string;
    members: string[];
  }>;
  const row = rows.find((candidate) => candidate.name === queue);
  if (!row) throw new Error(`queue ${queue} not listed on ${from.name}`);
  return { leader: row.leader, members: row.members };
}

describe('fault: a cluster node SIGKILLed while a quorum queue is consumed', function () {
  this.timeout(300_000);
  const queue = uniqueName('faults.cluster');
  let cluster: RabbitCluster;

  before(async () => {
    const started = Date.now();
    cluster = await startCluster();
    console.log(`    cluster up in ${Date.now() - started} ms ${JSON.stringify(cluster.timings)}`);
  });

  after(async () => {
    await cluster?.destroy();
  });

  it('runs every confirmed task through the surviving nodes', async () => {
    const [first] = cluster.nodes;
    if (!first) throw new Error('no nodes');
    await declareQuorumQueue(first.url, queue);
    const replicas = await replicasOf(first, queue);
    expect(replicas.leader).to.equal(first.name);
    expect(replicas.members).to.have.members(cluster.nodes.map((node) => node.name));
    const client = new Client({ brokerUrl: first.url, resultBackend: null, queueType: 'quorum', defaultQueue: queue });
    // Confirmed: send resolves after the broker's confirm, i.e. a quorum of replicas has it.
    for (let n = 0; n < TASKS; n++) await client.send(work, [n]);
    await client.close();

    const runs: Array<{ n: number; at: number }> = [];
    const tasks = new TaskRegistry().register(work, async (n) => {
      await new Promise((resolve) => setTimeout(resolve, 20));
      runs.push({ n, at: Date.now() });
    });
    const worker = new Worker({
      brokerUrl: [...cluster.urls],
      tasks,
      queues: [queue],
      queueType: 'quorum',
      resultBackend: null,
      concurrency: 1,
      prefetchMultiplier: 4,
    });
    await worker.start();
    try {
      await eventually(() => (runs.length >= 10 ? true : undefined), 30_000);
      const killedAt = Date.now();
      await first.kill();
      const runsAtKill = runs.length;
      const resumed = await eventually(() => runs.find((run) => run.at > killedAt + 50)?.at, 120_000);
      await eventually(() => (new Set(runs.map((run) => run.n)).size === TASKS ? true : undefined), 120_000);
      const duplicates = runs.length - TASKS;
      console.log(
        `    node 1 killed after ${runsAtKill} runs; tasks ran again ${resumed - killedAt} ms later; ` +
          `all ${TASKS} done ${Date.now() - killedAt} ms after the kill; ${duplicates} duplicate runs`,
      );
      // A duplicate is a task that ran but whose ack died with node 1: at most what the worker held.
      expect(duplicates).to.be.at.most(4 + 1);
      expect(await cluster.runningNodes(cluster.nodes[1])).to.have.length(2);
    } finally {
      await worker.stop({ timeoutMs: 5000 });
    }
  });
});
