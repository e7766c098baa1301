import { expect } from 'chai';
import { connect, type ChannelModel, type ConsumeMessage } from 'amqplib';
import { SerialConsumer, taskQueue } from '@celeriac/amqp';
import { silentLogger } from '@celeriac/core';
import { BROKER_URL, deleteQueues, eventually, uniqueName } from './support/broker.js';

describe('amqp: serial consumer (real broker)', () => {
  let model: ChannelModel;
  let queue = '';

  beforeEach(async () => {
    queue = uniqueName('serial');
    model = await connect(BROKER_URL);
    const channel = await model.createConfirmChannel();
    await channel.assertQueue(queue, { durable: true });
    for (const text of ['first', 'second', 'third'])
      channel.sendToQueue(queue, Buffer.from(text), { persistent: true });
    await channel.waitForConfirms();
    await channel.close();
  });

  afterEach(async () => {
    await model.close().catch(() => undefined);
    await deleteQueues(queue);
  });

  it('closes once the message under way is handled and acked; those not started go back to the queue', async () => {
    const handled: string[] = [];
    let finish!: () => void;
    const held = new Promise<void>((resolve) => (finish = resolve));
    const consumer = await SerialConsumer.start({
      model,
      queue: taskQueue(queue),
      logger: silentLogger,
      handle: async (message: ConsumeMessage) => {
        handled.push(message.content.toString());
        await held;
      },
    });
    await eventually(() => (handled.length === 1 ? true : undefined), 5000);
    let closed = false;
    const closing = consumer.close().then(() => (closed = true));
    await new Promise((resolve) => setTimeout(resolve, 50));
    // A schedule command applied and answered, then returned to the queue unacked, was applied
    // again by the next leader: close waits for the one under way.
    expect(closed).to.equal(false);
    finish();
    await closing;
    expect(handled).to.deep.equal(['first']);
    const channel = await model.createChannel();
    const left = await eventually(async () => {
      const { messageCount } = await channel.checkQueue(queue);
      return messageCount === 2 ? messageCount : undefined;
    }, 5000);
    expect(left).to.equal(2);
    const next = await channel.get(queue, { noAck: true });
    expect(next && next.content.toString()).to.equal('second');
  });
});
