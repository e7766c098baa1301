import { expect } from 'chai';
import { connect, type ChannelModel } from 'amqplib';
import {
  AmqpConnection,
  ConfirmPublisher,
  QueueConsumer,
  RpcResultReader,
  RpcResultWriter,
  taskQueue,
  type Delivery,
} from '@celeriac/amqp';
import { ConnectionError, PublishError, type Logger } from '@celeriac/core';
import { BROKER_URL, deleteQueues, drainQueue, eventually, uniqueName } from './support/broker.js';
import { canCloseConnections, channelsOf, closeConnectionsNamed } from './support/connections.js';

/** Everything a test opened, closed after it whatever happened. */
class Resources {
  readonly connections: AmqpConnection[] = [];
  readonly queues: string[] = [];
  readonly closers: Array<() => Promise<unknown>> = [];

  async open(name = uniqueName('conn')): Promise<AmqpConnection> {
    const connection = await AmqpConnection.open({ url: BROKER_URL, name });
    this.connections.push(connection);
    return connection;
  }

  queue(prefix: string): string {
    const name = uniqueName(prefix);
    this.queues.push(name);
    return name;
  }

  async release(): Promise<void> {
    for (const close of this.closers.splice(0)) await close().catch(() => undefined);
    for (const connection of this.connections.splice(0)) await connection.close();
    if (this.queues.length > 0) await deleteQueues(...this.queues.splice(0));
  }
}

/** A raw amqplib connection for looking at the broker from outside Celeriac. */
async function withRawChannel<T>(work: (model: ChannelModel) => Promise<T>): Promise<T> {
  const model = await connect(BROKER_URL);
  try {
    return await work(model);
  } finally {
    await model.close();
  }
}

async function publisherOn(resources: Resources): Promise<ConfirmPublisher> {
  return ConfirmPublisher.create(await resources.open(), { channelWaitMs: 5000 });
}

describe('amqp: a login the broker refuses', () => {
  const refusedUrl = (host: string) => {
    const url = new URL(BROKER_URL.replace(/^amqp:/, 'http:'));
    return `amqp://celeriac-nobody:wrong@${host}:${url.port || 5672}${url.pathname}`;
  };

  /** Opens with a logger that counts the attempts; resolves with the error and the attempts. */
  async function refused(url: string): Promise<{ error: unknown; attempts: number }> {
    let attempts = 0;
    const logger: Logger = {
      log: (_level, message) => void (attempts += message === 'connecting' ? 1 : 0),
      child: () => logger,
    };
    const error = await AmqpConnection.open({ url, name: uniqueName('refused'), logger }).then(
      async (connection) => {
        await connection.close();
        return null;
      },
      (failure: unknown) => failure,
    );
    return { error, attempts };
  }

  it('is not retried at the first connect: one attempt, failing with the broker’s 403', async () => {
    const { error, attempts } = await refused(refusedUrl('127.0.0.1'));
    expect(error).to.be.instanceOf(ConnectionError).with.property('message').that.includes('403 (ACCESS-REFUSED)');
    expect(attempts).to.equal(1);
  });

  it('with several nodes, is given up once each of them refused it', async () => {
    const { error, attempts } = await refused(`${refusedUrl('127.0.0.1')};${refusedUrl('localhost')}`);
    expect(error).to.be.instanceOf(ConnectionError).with.property('message').that.includes('403 (ACCESS-REFUSED)');
    expect(attempts).to.equal(2);
  });
});

describe('amqp: confirm publisher', () => {
  const resources = new Resources();
  afterEach(() => resources.release());

  it('rejects a publish no queue receives with PUBLISH_UNROUTABLE', async () => {
    const publisher = await publisherOn(resources);
    const missing = uniqueName('nowhere');
    const error = await publisher.publish('', missing, Buffer.from('x'), {}).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).to.be.instanceOf(PublishError);
    expect(error).to.include({ code: 'PUBLISH_UNROUTABLE', exchange: '', routingKey: missing });
  });

  it('resolves a routable publish once confirmed; the message is queued, persistent, with its properties', async () => {
    const publisher = await publisherOn(resources);
    const queue = resources.queue('routable');
    await publisher.ensureQueue(taskQueue(queue));
    await publisher.publish('', queue, Buffer.from('{"a":1}'), {
      persistent: true,
      contentType: 'application/json',
      headers: { h: { '!': 'int', value: 7 } },
    });
    const [message, ...rest] = await drainQueue(queue);
    expect(rest).to.have.length(0);
    expect(message?.content.toString()).to.equal('{"a":1}');
    expect(message?.properties).to.include({ deliveryMode: 2, contentType: 'application/json' });
    expect(message?.properties.headers).to.deep.equal({ h: 7 });
  });

  it('declares a task queue durable, not exclusive or auto-delete, with no arguments, as Celery does', async () => {
    const publisher = await publisherOn(resources);
    const queue = resources.queue('declared');
    await publisher.ensureQueue(taskQueue(queue));
    await withRawChannel(async (model) => {
      const channel = await model.createChannel();
      expect(await channel.checkQueue(queue)).to.include({ queue, messageCount: 0 });
      // The broker refuses (406) a redeclare whose flags or arguments differ, so this only
      // succeeds if the queue is exactly what Celery 5.2 declares for `celery`.
      await channel.assertQueue(queue, { durable: true, exclusive: false, autoDelete: false, arguments: {} });
      await channel.checkExchange(queue);
    });
  });

  it('declares a queue once for a burst of concurrent first sends, beyond the 2047 channels a connection has', async () => {
    const publisher = await publisherOn(resources);
    const queue = resources.queue('burst');
    const outcomes = await Promise.allSettled(
      Array.from({ length: 2500 }, () => publisher.ensureQueue(taskQueue(queue))),
    );
    expect(outcomes.filter((outcome) => outcome.status === 'rejected')).to.deep.equal([]);
  });

  it('fails ensureQueue on a conflicting declaration, and the publisher keeps working', async () => {
    const publisher = await publisherOn(resources);
    const queue = resources.queue('conflict');
    await withRawChannel(async (model) =>
      (await model.createChannel()).assertQueue(queue, { durable: true, arguments: { 'x-max-priority': 10 } }),
    );
    const error = await publisher.ensureQueue(taskQueue(queue)).then(
      () => null,
      (e: unknown) => e as Error,
    );
    // One line naming the queue and what to change, not the broker's raw 406 text.
    expect(error?.message).to.match(
      new RegExp(`queue '${queue.replace(/\./g, '\\.')}' already exists with other arguments`),
    );
    await publisher.ensureQueue(taskQueue(queue, { maxPriority: 10 }));
    await publisher.publish('', queue, Buffer.from('after'), { persistent: true });
    expect((await drainQueue(queue)).map((message) => message.content.toString())).to.deep.equal(['after']);
  });

  it('reopens its channel after the broker closes it (404 on a missing exchange)', async () => {
    const publisher = await publisherOn(resources);
    const queue = resources.queue('reopen');
    await publisher.ensureQueue(taskQueue(queue));
    const error = await publisher.publish(uniqueName('no-such-exchange'), 'x', Buffer.from('x'), {}).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).to.be.instanceOf(PublishError).with.property('code', 'PUBLISH_UNCONFIRMED');
    await eventually(
      () =>
        publisher.publish('', queue, Buffer.from('again'), {}).then(
          () => true,
          () => undefined,
        ),
      5000,
    );
    expect((await drainQueue(queue)).map((message) => message.content.toString())).to.deep.equal(['again']);
  });

  // A channel opened during a quorum leader election was seen nacking every publish for a minute
  // (RabbitMQ 3.10 cluster, test/faults/cluster-failover): after a nack the publisher moves on.
  it('publishes on a fresh channel after a nack (a full reject-publish queue), and closes the nacked one', async function () {
    if (!(await canCloseConnections())) this.skip();
    const name = uniqueName('nacked');
    const publisher = await ConfirmPublisher.create(await resources.open(name), { channelWaitMs: 5000 });
    const [full, open] = [resources.queue('full'), resources.queue('open')];
    await withRawChannel(async (model) => {
      const channel = await model.createChannel();
      await channel.assertQueue(full, { arguments: { 'x-max-length': 0, 'x-overflow': 'reject-publish' } });
    });
    await publisher.ensureQueue(taskQueue(open));
    const before = await eventually(
      async () => ((await channelsOf(name)).length === 1 ? channelsOf(name) : undefined),
      5000,
    );
    const error = await publisher.publish('', full, Buffer.from('x'), {}).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).to.be.instanceOf(PublishError).with.property('code', 'PUBLISH_NACKED');
    await publisher.publish('', open, Buffer.from('next'), {});
    const after = await eventually(async () => {
      const channels = await channelsOf(name);
      return channels.length === 1 && channels[0] !== before[0] ? channels : undefined;
    }, 15_000);
    expect(after).to.have.length(1);
    expect((await drainQueue(open)).map((message) => message.content.toString())).to.deep.equal(['next']);
  });
});

describe('amqp: queue consumer', () => {
  const resources = new Resources();
  afterEach(() => resources.release());

  async function consume(queue: string, connectionName: string, received: Delivery[]): Promise<QueueConsumer> {
    const consumer = await QueueConsumer.start(await resources.open(connectionName), {
      queues: [taskQueue(queue)],
      prefetch: 5,
      onMessage: (delivery) => (received.push(delivery), delivery.ack()),
    });
    resources.closers.push(() => consumer.close());
    return consumer;
  }

  it('delivers with the queue name and acks, so the queue ends empty', async () => {
    const queue = resources.queue('consume');
    const received: Delivery[] = [];
    await consume(queue, uniqueName('consumer'), received);
    const publisher = await publisherOn(resources);
    for (const text of ['one', 'two']) await publisher.publish('', queue, Buffer.from(text), {});
    await eventually(() => (received.length === 2 ? true : undefined));
    expect(received.map((delivery) => [delivery.queue, delivery.message.content.toString()])).to.deep.equal([
      [queue, 'one'],
      [queue, 'two'],
    ]);
    await withRawChannel(async (model) => {
      const consumers = await (await model.createChannel()).checkQueue(queue);
      expect(consumers).to.include({ messageCount: 0, consumerCount: 1 });
    });
  });

  it('keeps consuming after its connection is closed by the broker (recovery re-subscribes)', async function () {
    if (!(await canCloseConnections())) this.skip(); // needs rabbitmqctl on the broker's machine
    const queue = resources.queue('recover');
    const connectionName = uniqueName('recovering-consumer');
    const deliveries: Delivery[] = [];
    await consume(queue, connectionName, deliveries);
    const publisher = await publisherOn(resources);
    await publisher.publish('', queue, Buffer.from('before'), {});
    await eventually(() => (deliveries.length === 1 ? true : undefined));
    expect(await closeConnectionsNamed(connectionName)).to.equal(1);
    await eventually(() => publisher.publish('', queue, Buffer.from('after'), {}).then(() => true), 5000);
    await eventually(() => (deliveries.length >= 2 ? true : undefined), 15_000);
    expect(deliveries.map((delivery) => delivery.message.content.toString())).to.deep.equal(['before', 'after']);
  });
});

describe('amqp: rpc results', () => {
  const resources = new Resources();
  afterEach(() => resources.release());

  it('routes many concurrent results through one reply queue and one consumer', async () => {
    const reader = new RpcResultReader(await resources.open());
    resources.closers.push(() => reader.close());
    const writer = new RpcResultWriter(await publisherOn(resources));
    const replyQueues = new Set(await Promise.all(Array.from({ length: 50 }, () => reader.replyTo())));
    expect([...replyQueues]).to.deep.equal([reader.queue]);
    const ids = Array.from({ length: 200 }, (_, i) => `${reader.queue}-task-${i}`);
    const waiting = ids.map((id) => reader.waitForReady(id, 10_000));
    await Promise.all(
      ids.map((taskId, i) =>
        writer.store({
          taskId,
          state: 'SUCCESS',
          result: i,
          traceback: null,
          replyTo: reader.queue,
          correlationId: taskId,
        }),
      ),
    );
    expect((await Promise.all(waiting)).map((meta) => meta.result)).to.deep.equal(ids.map((_, i) => i));
    await withRawChannel(async (model) => {
      expect(await (await model.createChannel()).checkQueue(reader.queue)).to.include({
        consumerCount: 1,
        messageCount: 0,
      });
    });
  });

  it('keeps a result that arrives before anyone waits, and reports non-ready states as latest', async () => {
    const reader = new RpcResultReader(await resources.open());
    resources.closers.push(() => reader.close());
    const writer = new RpcResultWriter(await publisherOn(resources));
    const replyTo = await reader.replyTo();
    await writer.store({
      taskId: 'started-1',
      state: 'STARTED',
      result: { pid: 1 },
      traceback: null,
      replyTo,
      correlationId: 'started-1',
    });
    await writer.store({
      taskId: 'early-1',
      state: 'SUCCESS',
      result: 'early',
      traceback: null,
      replyTo,
      correlationId: 'early-1',
    });
    expect((await eventually(() => reader.latest('started-1').then((meta) => meta ?? undefined))).status).to.equal(
      'STARTED',
    );
    expect((await reader.waitForReady('early-1', 5000)).result).to.equal('early');
  });

  it('tells waiters RESULT_TIMEOUT, and RESULT_UNAVAILABLE when closed; a gone caller is not an error', async () => {
    const reader = new RpcResultReader(await resources.open());
    const writer = new RpcResultWriter(await publisherOn(resources));
    await reader.replyTo();
    const timeout = await reader.waitForReady('never', 50).catch((error: unknown) => error);
    expect(timeout).to.include({ code: 'RESULT_TIMEOUT', taskId: 'never' });
    const pending = reader.waitForReady('pending', null).catch((error: unknown) => error);
    await reader.close();
    expect(await pending).to.include({ code: 'RESULT_UNAVAILABLE' });
    await writer.store({
      taskId: 'x',
      state: 'SUCCESS',
      result: 1,
      traceback: null,
      replyTo: reader.queue,
      correlationId: 'x',
    });
  });
});
