/**
 * Issue 13, items 1 and 2 against the real broker: quorum task queues, lanes and celeriac.dead
 * declared exactly as Celery 5.6.3 declares them, countdowns through quorum lanes, the broker's
 * x-delivery-count stopping a poison message, and a queue declared with another type stopping a
 * start with one line (both orders) instead of a channel closing in a loop. In a private vhost:
 * the lanes on the default vhost are classic and shared by every other test.
 */
import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { connect } from 'amqplib';
import { ConfigurationError, MemoryScheduleStore, silentLogger } from '@celeriac/core';
import { Beat } from '@celeriac/beat';
import { Client } from '@celeriac/client';
import { DEAD_LETTER_HEADER, encodeTask } from '@celeriac/protocol';
import { TaskRegistry, Worker, type WorkerOptions } from '@celeriac/worker';
import { eventually, uniqueName } from './support/broker.js';
import { PrivateVhost } from './support/vhost.js';

const stamp = () => Date.now();

describe('quorum queues (private vhost)', function () {
  this.timeout(60_000);
  const vhost = new PrivateVhost();
  const workers: Worker[] = [];
  const clients: Client[] = [];
  before(() => vhost.create());
  afterEach(async () => {
    await Promise.all(workers.splice(0).map((worker) => worker.stop({ timeoutMs: 2000 })));
    await Promise.all(clients.splice(0).map((client) => client.close()));
  });
  after(() => vhost.delete());

  const tasks = new TaskRegistry().register('quorum.stamp', stamp);
  async function worker(options: Partial<WorkerOptions>): Promise<Worker> {
    const started = new Worker({ brokerUrl: vhost.url, tasks, nodeName: uniqueName('node'), ...options });
    workers.push(started);
    await started.start();
    return started;
  }
  function client(queueType: 'classic' | 'quorum'): Client {
    const made = new Client({ brokerUrl: vhost.url, queueType });
    clients.push(made);
    return made;
  }

  it('declares the task queue, celeriac.dead and the 28 lanes as a Celery 5.6.3 worker does', async () => {
    const queue = uniqueName('qq');
    await worker({ queues: [queue], queueType: 'quorum' });
    const queues = await vhost.queues();
    expect(queues.get(queue)).to.deep.equal({ name: queue, type: 'quorum', arguments: { 'x-queue-type': 'quorum' } });
    expect(queues.get('celeriac.dead')).to.deep.include({ type: 'quorum', arguments: { 'x-queue-type': 'quorum' } });
    for (let level = 0; level < 28; level++)
      expect(queues.get(`celery_delayed_${level}`), `lane ${level}`).to.deep.equal({
        name: `celery_delayed_${level}`,
        type: 'quorum',
        arguments: {
          'x-queue-type': 'quorum',
          'x-overflow': 'reject-publish',
          'x-message-ttl': 2 ** level * 1000,
          'x-dead-letter-exchange': level === 0 ? 'celery_delayed_delivery' : `celery_delayed_${level - 1}`,
          'x-dead-letter-strategy': 'at-least-once',
        },
      });
  });

  it('runs a countdown through the quorum lanes, no earlier than due', async () => {
    const queue = uniqueName('qq-countdown');
    await worker({ queues: [queue], queueType: 'quorum' });
    const sentAt = Date.now();
    const result = await client('quorum').sendTask<number>('quorum.stamp', [], {}, { queue, countdown: 2 });
    expect(await result.get({ timeoutMs: 20_000 })).to.be.at.least(sentAt + 2000);
  });

  it('uses quorum lanes as they are for a classic queue (safe: the type only changes replication)', async () => {
    const queue = uniqueName('classic-on-quorum-lanes');
    await worker({ queues: [queue], queueType: 'quorum' }); // the lanes exist as quorum now
    await worker({ queues: [`${queue}.b`], queueType: 'classic' });
    const sentAt = Date.now();
    const result = await client('classic').sendTask<number>(
      'quorum.stamp',
      [],
      {},
      { queue: `${queue}.b`, countdown: 1 },
    );
    expect(await result.get({ timeoutMs: 20_000 })).to.be.at.least(sentAt + 1000);
    expect((await vhost.queues()).get(`${queue}.b`)?.type).to.equal('classic');
  });

  for (const [first, second] of [
    ['classic', 'quorum'],
    ['quorum', 'classic'],
  ] as const)
    it(`stops a ${second} worker at start with one line when a ${first} one declared the queue first`, async () => {
      const queue = uniqueName(`${first}-then-${second}`);
      await worker({ queues: [queue], queueType: first });
      const late = new Worker({
        brokerUrl: vhost.url,
        tasks,
        queues: [queue],
        queueType: second,
        logger: silentLogger,
      });
      const error = await late.start().then(
        () => late.stop().then(() => expect.fail('started')),
        (caught: unknown) => caught as Error,
      );
      expect(error).to.be.instanceOf(ConfigurationError);
      expect(error.message).to.match(
        new RegExp(
          `^queue '${queue.replace(/\./g, '\\.')}' already exists with other arguments \\(it has x-queue-type`,
        ),
      );
      expect(error.message).to.include('set queueType (--queue-type, CELERIAC_QUEUE_TYPE)').and.not.include('\n');
      // A client of the other type is refused the same way, and its connection keeps publishing.
      const other = client(second);
      await other.sendTask('quorum.stamp', [], {}, { queue }).then(
        () => expect.fail('sent'),
        (caught: Error) => expect(caught.message).to.include(`queue '${queue}' already exists`),
      );
      expect(
        await (await client(first).sendTask<number>('quorum.stamp', [], {}, { queue })).get({ timeoutMs: 10_000 }),
      ).to.be.a('number');
    });

  // A classic control queue lives on one cluster node: with that node down no new leader could
  // declare it (test/faults/cluster-beat). Replicated like the task queues, and adopted either way.
  it('declares the beat control queue as quorum with a quorum beat, and a classic client uses it as it is', async () => {
    const group = uniqueName('qq-beat');
    const beat = new Beat({
      brokerUrl: vhost.url,
      store: new MemoryScheduleStore(),
      beatGroup: group,
      client: { queueType: 'quorum' },
    });
    await beat.start();
    try {
      await eventually(() => (beat.isLeader ? true : undefined), 10_000);
      const control = `celeriac.beat.${group}.control`;
      expect((await vhost.queues()).get(control)).to.deep.equal({
        name: control,
        type: 'quorum',
        arguments: { 'x-queue-type': 'quorum' },
      });
      const classic = new Client({
        brokerUrl: vhost.url,
        queueType: 'classic',
        beatGroup: group,
        resultBackend: 'rpc://',
      });
      clients.push(classic);
      expect(await classic.schedules.list()).to.deep.equal([]);
    } finally {
      await beat.stop();
    }
  });

  it("dead-letters with MAX_DELIVERIES when the broker's x-delivery-count reaches maxDeliveries", async () => {
    const queue = uniqueName('qq-poison');
    await (await worker({ queues: [queue], queueType: 'quorum' })).stop();
    const id = randomUUID();
    const { body, properties } = encodeTask({ id, name: 'quorum.stamp', args: [] });
    const connection = await connect(vhost.url);
    try {
      const channel = await connection.createConfirmChannel();
      await new Promise<void>((resolve, reject) =>
        channel.publish('', queue, body, properties, (error: unknown) => (error ? reject(error) : resolve())),
      );
      // Three deliveries that end without an ack, as if three workers died under the task.
      for (let i = 0; i < 3; i++) {
        const taken = await connection.createChannel();
        await eventually(async () => (await taken.get(queue, { noAck: false })) || undefined);
        await taken.close();
      }
      await worker({ queues: [queue], queueType: 'quorum', maxDeliveries: 3 });
      const dead = await eventually(async () => (await channel.get('celeriac.dead', { noAck: true })) || undefined);
      expect(dead.properties.correlationId).to.equal(id);
      expect(dead.properties.headers?.[DEAD_LETTER_HEADER.code]).to.equal('MAX_DELIVERIES');
      expect(String(dead.properties.headers?.[DEAD_LETTER_HEADER.reason])).to.match(/delivered 3 times/);
    } finally {
      await connection.close();
    }
  });
});
