import { expect } from 'chai';
import type { Channel } from 'amqplib';
import { MAX_DELAY_SECONDS } from '@celeriac/protocol';
import {
  DELAY_DELIVERY_EXCHANGE,
  DELAY_ENTRY_EXCHANGE,
  bindToDelayLanes,
  declareDelayLanes,
  delayEntryExchange,
  laneQueueArguments,
  levelName,
} from '../topology/index.js';

/** A channel that records the declarations made on it, in order. */
function recordingChannel(): { channel: Channel; calls: unknown[][] } {
  const calls: unknown[][] = [];
  const record =
    (name: string) =>
    async (...args: unknown[]) =>
      void calls.push([name, ...args]);
  const fake = {
    assertExchange: record('exchange'),
    assertQueue: record('queue'),
    bindQueue: record('bindQueue'),
    bindExchange: record('bindExchange'),
  };
  return { channel: fake as unknown as Channel, calls };
}

describe('topology: delay lanes', () => {
  it('uses Celery 5.5 names: celery_delayed_<level>, entry at level 27, exit celery_delayed_delivery', () => {
    expect(levelName(0)).to.equal('celery_delayed_0');
    expect(DELAY_ENTRY_EXCHANGE).to.equal('celery_delayed_27');
    expect(DELAY_DELIVERY_EXCHANGE).to.equal('celery_delayed_delivery');
  });

  it('enters the cascade at the level of the highest 1 bit (the levels above only pass it down)', () => {
    expect([1, 2, 3, 5, 1024, 1025, MAX_DELAY_SECONDS].map(delayEntryExchange)).to.deep.equal([
      'celery_delayed_0',
      'celery_delayed_1',
      'celery_delayed_1',
      'celery_delayed_2',
      'celery_delayed_10',
      'celery_delayed_10',
      'celery_delayed_27',
    ]);
    for (const seconds of [0, 1.5, MAX_DELAY_SECONDS + 1])
      expect(() => delayEntryExchange(seconds), String(seconds)).to.throw(RangeError);
  });

  it('declares each lane queue with kombu 5.5 arguments: TTL 2^L s, dead-lettering one level down', () => {
    expect(laneQueueArguments(3)).to.deep.equal({
      'x-queue-type': 'classic',
      'x-overflow': 'reject-publish',
      'x-message-ttl': 8000,
      'x-dead-letter-exchange': 'celery_delayed_2',
    });
    expect(laneQueueArguments(0)['x-dead-letter-exchange']).to.equal('celery_delayed_delivery');
  });

  it('declares 28 levels from the top: exchange, queue, the 1s into the queue, the 0s down to the next level', async () => {
    const { channel, calls } = recordingChannel();
    await declareDelayLanes(channel);
    expect(calls).to.have.length(28 * 5);
    const durable = { durable: true, autoDelete: false };
    expect(calls.slice(0, 5)).to.deep.equal([
      ['exchange', 'celery_delayed_27', 'topic', durable],
      ['queue', 'celery_delayed_27', { ...durable, exclusive: false, arguments: laneQueueArguments(27) }],
      ['bindQueue', 'celery_delayed_27', 'celery_delayed_27', '1.#'],
      ['exchange', 'celery_delayed_26', 'topic', durable],
      ['bindExchange', 'celery_delayed_26', 'celery_delayed_27', '0.#'],
    ]);
    const skip = '*.'.repeat(27);
    expect(calls.slice(-3)).to.deep.equal([
      ['bindQueue', 'celery_delayed_0', 'celery_delayed_0', `${skip}1.#`],
      ['exchange', 'celery_delayed_delivery', 'topic', durable],
      ['bindExchange', 'celery_delayed_delivery', 'celery_delayed_0', `${skip}0.#`],
    ]);
  });

  it('binds a destination queue to the exit with #.<queue>', async () => {
    const { channel, calls } = recordingChannel();
    await bindToDelayLanes(channel, 'orders');
    expect(calls).to.deep.equal([['bindQueue', 'orders', 'celery_delayed_delivery', '#.orders']]);
  });
});
