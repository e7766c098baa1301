import { EventEmitter } from 'node:events';
import { expect } from 'chai';
import type { ChannelModel } from 'amqplib';
import type { AmqpConnection, SetupHook } from '../connection.js';
import { EventPublisher, type OutgoingEvent } from '../event-publisher.js';

/** A channel whose write buffer is full whenever `full` is set, as amqplib's publish reports it. */
class FakeChannel extends EventEmitter {
  readonly published: string[] = [];
  readonly exchanges: Array<[string, string, unknown]> = [];
  full = false;

  async assertExchange(name: string, type: string, options: unknown) {
    this.exchanges.push([name, type, options]);
    return { exchange: name };
  }

  publish(exchange: string, routingKey: string, body: Buffer): boolean {
    this.published.push(`${exchange} ${routingKey} ${body.toString()}`);
    return !this.full;
  }

  async close() {
    this.emit('close');
  }
}

function fakeConnection(channel: FakeChannel): { connection: AmqpConnection; connect: () => Promise<void> } {
  let hook: SetupHook | null = null;
  const model = { createChannel: async () => channel } as unknown as ChannelModel;
  const connection = { addSetup: async (added: SetupHook) => ((hook = added), () => undefined) } as AmqpConnection;
  return { connection, connect: () => hook!(model) };
}

const event = (n: number): OutgoingEvent => ({
  routingKey: 'task.started',
  body: Buffer.from(String(n)),
  properties: { contentType: 'application/json', contentEncoding: 'utf-8', deliveryMode: 1, priority: 0, headers: {} },
});

describe('EventPublisher', () => {
  it('declares celeryev as Celery does (topic, durable) and publishes at once while the channel takes writes', async () => {
    const channel = new FakeChannel();
    const { connection, connect } = fakeConnection(channel);
    const publisher = await EventPublisher.create(connection);
    await connect();
    publisher.publish(event(1));
    expect(channel.exchanges).to.deep.equal([['celeryev', 'topic', { durable: true, autoDelete: false }]]);
    expect(channel.published).to.deep.equal(['celeryev task.started 1']);
    expect(publisher.stats).to.deep.equal({ sent: 1, dropped: 0, buffered: 0 });
  });

  it('keeps events while not connected and while the write buffer is full, sends them in order on drain', async () => {
    const channel = new FakeChannel();
    const { connection, connect } = fakeConnection(channel);
    const publisher = await EventPublisher.create(connection, { bufferSize: 10 });
    publisher.publish(event(1));
    await connect();
    channel.full = true;
    publisher.publish(event(2));
    publisher.publish(event(3));
    publisher.publish(event(4));
    expect(channel.published.map((line) => line.split(' ')[2])).to.deep.equal(['1', '2']);
    expect(publisher.stats.buffered).to.equal(2);
    channel.full = false;
    channel.emit('drain');
    expect(channel.published.map((line) => line.split(' ')[2])).to.deep.equal(['1', '2', '3', '4']);
    expect(publisher.stats).to.deep.equal({ sent: 4, dropped: 0, buffered: 0 });
  });

  it('drops and counts events beyond its buffer instead of waiting: publish never blocks the task path', async () => {
    const channel = new FakeChannel();
    const { connection } = fakeConnection(channel);
    const publisher = await EventPublisher.create(connection, { bufferSize: 3 });
    for (let n = 0; n < 10; n++) publisher.publish(event(n));
    expect(publisher.stats).to.deep.equal({ sent: 0, dropped: 7, buffered: 3 });
    await publisher.close();
    expect(publisher.stats).to.deep.equal({ sent: 0, dropped: 10, buffered: 0 });
  });

  it('counts an event as dropped when the channel throws under it (closed), and goes on', async () => {
    const channel = new FakeChannel();
    const { connection, connect } = fakeConnection(channel);
    const publisher = await EventPublisher.create(connection);
    await connect();
    channel.publish = () => {
      throw new Error('Channel closed');
    };
    publisher.publish(event(1));
    expect(publisher.stats).to.deep.equal({ sent: 0, dropped: 1, buffered: 0 });
  });

  it('reopens its channel after the broker closed it, and sends what waited meanwhile', async () => {
    const channel = new FakeChannel();
    const { connection, connect } = fakeConnection(channel);
    const publisher = await EventPublisher.create(connection);
    await connect();
    channel.emit('close');
    publisher.publish(event(1));
    expect(publisher.stats).to.deep.equal({ sent: 0, dropped: 0, buffered: 1 });
    await connect();
    expect(publisher.stats).to.deep.equal({ sent: 1, dropped: 0, buffered: 0 });
  });
});
