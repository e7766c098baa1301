import { setImmediate as nextTurn } from 'node:timers/promises';
import { expect } from 'chai';
import type { Channel, Message } from 'amqplib';
import { AckBatcher } from '../ack-batcher.js';

type Frame = { method: 'ack' | 'nack'; tag: number; multiple: boolean; requeue?: boolean };

/** A channel that records the frames it would send. */
function recordingChannel(): { channel: Channel; frames: Frame[] } {
  const frames: Frame[] = [];
  const channel = {
    ack: (message: Message, multiple = false) =>
      frames.push({ method: 'ack', tag: message.fields.deliveryTag, multiple }),
    nack: (message: Message, multiple = false, requeue = true) =>
      frames.push({ method: 'nack', tag: message.fields.deliveryTag, multiple, requeue }),
  };
  return { channel: channel as unknown as Channel, frames };
}

function deliveries(batcher: AckBatcher, count: number): Message[] {
  const messages = Array.from({ length: count }, (_, i) => ({ fields: { deliveryTag: i + 1 } }) as unknown as Message);
  for (const message of messages) batcher.received(message);
  return messages;
}

describe('AckBatcher', () => {
  it('acks issued in one turn in delivery order go out as one multiple ack', async () => {
    const { channel, frames } = recordingChannel();
    const batcher = new AckBatcher(channel, (error) => {
      throw error;
    });
    const messages = deliveries(batcher, 5);
    for (const message of messages) batcher.ack(message);
    expect(frames).to.deep.equal([]);
    await nextTurn();
    expect(frames).to.deep.equal([{ method: 'ack', tag: 5, multiple: true }]);
  });

  it('never covers a delivery still running: acks after it go out singly', async () => {
    const { channel, frames } = recordingChannel();
    const batcher = new AckBatcher(channel, (error) => {
      throw error;
    });
    const [one, two, three, four] = deliveries(batcher, 4) as [Message, Message, Message, Message];
    batcher.ack(one);
    batcher.ack(three);
    batcher.ack(four);
    await nextTurn();
    expect(frames).to.deep.equal([
      { method: 'ack', tag: 3, multiple: false },
      { method: 'ack', tag: 4, multiple: false },
      { method: 'ack', tag: 1, multiple: true },
    ]);
    batcher.ack(two);
    await nextTurn();
    expect(frames.at(-1)).to.deep.equal({ method: 'ack', tag: 2, multiple: true });
  });

  it('sends the acks issued before a nack first, then the nack at once', () => {
    const { channel, frames } = recordingChannel();
    const batcher = new AckBatcher(channel, (error) => {
      throw error;
    });
    const [one, two] = deliveries(batcher, 2) as [Message, Message];
    batcher.ack(one);
    batcher.nack(two, true);
    expect(frames).to.deep.equal([
      { method: 'ack', tag: 1, multiple: true },
      { method: 'nack', tag: 2, multiple: false, requeue: true },
    ]);
  });

  it('passes a failed flush (closed channel) to its error callback instead of throwing', async () => {
    const failure = new Error('Channel closed');
    const channel = {
      ack: () => {
        throw failure;
      },
    } as unknown as Channel;
    const errors: unknown[] = [];
    const batcher = new AckBatcher(channel, (error) => errors.push(error));
    batcher.ack(deliveries(batcher, 1)[0] as Message);
    await nextTurn();
    expect(errors).to.deep.equal([failure]);
  });

  it('remembers only running deliveries: one stuck delivery costs nothing while others are acked', async () => {
    const { channel, frames } = recordingChannel();
    const batcher = new AckBatcher(channel, (error) => {
      throw error;
    });
    const [stuck, ...rest] = deliveries(batcher, 2001);
    for (const message of rest) batcher.ack(message);
    await nextTurn();
    expect(frames.filter((frame) => frame.multiple)).to.deep.equal([]);
    expect(frames).to.have.length(2000);
    batcher.ack(stuck as Message);
    await nextTurn();
    // Tag 1 is below nothing running now: a multiple ack on it covers only itself.
    expect(frames.at(-1)).to.deep.equal({ method: 'ack', tag: 1, multiple: true });
  });

  it('keeps coalescing across many deliveries', async () => {
    const { channel, frames } = recordingChannel();
    const batcher = new AckBatcher(channel, (error) => {
      throw error;
    });
    const messages = deliveries(batcher, 5000);
    for (let i = 0; i < messages.length; i += 1000) {
      for (const message of messages.slice(i, i + 1000)) batcher.ack(message);
      await nextTurn();
    }
    expect(frames).to.deep.equal([1000, 2000, 3000, 4000, 5000].map((tag) => ({ method: 'ack', tag, multiple: true })));
  });
});
