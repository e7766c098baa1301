import { expect } from 'chai';
import {
  DELAY_DELIVERY_EXCHANGE,
  DELAY_ENTRY_EXCHANGE,
  delayEntryExchange,
  MAX_DELAY_SECONDS,
  delayRoutingKey,
  laneQueueArguments,
  laneSeconds,
  levelName,
  publishAt,
  stripDelayPrefix,
  type DelayPublisher,
} from '../delay-lanes.js';
import type { PublishProperties } from '../publisher.js';

/** Records what publishAt asks of the publisher, in order. */
function recordingPublisher(): DelayPublisher & { calls: unknown[][] } {
  const calls: unknown[][] = [];
  return {
    calls,
    ensureDelayTopology: async (queue) => void calls.push(['ensure', queue]),
    publish: async (exchange, routingKey, _body, properties) => void calls.push(['publish', exchange, routingKey, properties]),
  };
}

describe('delay lanes', () => {
  it('uses Celery 5.5 names: celery_delayed_<level>, entry at level 27, exit celery_delayed_delivery', () => {
    expect(levelName(0)).to.equal('celery_delayed_0');
    expect(DELAY_ENTRY_EXCHANGE).to.equal('celery_delayed_27');
    expect(DELAY_DELIVERY_EXCHANGE).to.equal('celery_delayed_delivery');
    expect(MAX_DELAY_SECONDS).to.equal(2 ** 28 - 1);
  });

  it('spells the delay as 28 binary digits, most significant first, then the destination', () => {
    expect(delayRoutingKey(5, 'celery')).to.equal(`${'0.'.repeat(25)}1.0.1.celery`);
    expect(delayRoutingKey(1, 'a.b')).to.equal(`${'0.'.repeat(27)}1.a.b`);
    expect(delayRoutingKey(MAX_DELAY_SECONDS, 'q')).to.equal(`${'1.'.repeat(28)}q`);
  });

  it('refuses delays that are not whole seconds within the cascade', () => {
    for (const seconds of [0, -1, 1.5, MAX_DELAY_SECONDS + 1, Number.NaN]) {
      expect(() => delayRoutingKey(seconds, 'q'), String(seconds)).to.throw(RangeError);
      expect(() => delayEntryExchange(seconds), String(seconds)).to.throw(RangeError);
    }
  });

  it('enters the cascade at the level of the highest 1 bit (the levels above only pass it down)', () => {
    expect([1, 2, 3, 5, 1024, 1025, MAX_DELAY_SECONDS].map(delayEntryExchange)).to.deep.equal(
      ['celery_delayed_0', 'celery_delayed_1', 'celery_delayed_1', 'celery_delayed_2', 'celery_delayed_10', 'celery_delayed_10', 'celery_delayed_27'],
    );
  });

  it('strips the delay prefix to recover the destination routing key, and leaves other keys alone', () => {
    expect(stripDelayPrefix(delayRoutingKey(300, 'orders.eu'))).to.equal('orders.eu');
    expect(stripDelayPrefix('0.1.orders')).to.equal('0.1.orders');
  });

  it('declares each lane queue with kombu 5.5 arguments: TTL 2^L s, dead-lettering one level down', () => {
    expect(laneQueueArguments(3)).to.deep.equal({ 'x-queue-type': 'classic', 'x-overflow': 'reject-publish', 'x-message-ttl': 8000, 'x-dead-letter-exchange': 'celery_delayed_2' });
    expect(laneQueueArguments(0)['x-dead-letter-exchange']).to.equal('celery_delayed_delivery');
  });

  describe('laneSeconds', () => {
    it('is 0 under a second: that rest is held in memory', () => {
      expect([-5000, 0, 1, 999.9, Number.NaN].map(laneSeconds)).to.deep.equal([0, 0, 0, 0, 0]);
    });

    it('rounds down to whole seconds and caps at the cascade maximum', () => {
      expect([1000, 1999, 2500, 86_400_000].map(laneSeconds)).to.deep.equal([1, 1, 2, 86_400]);
      expect(laneSeconds((MAX_DELAY_SECONDS + 100) * 1000)).to.equal(MAX_DELAY_SECONDS);
    });
  });

  describe('publishAt', () => {
    const body = Buffer.from('[]');
    const properties: PublishProperties = { contentType: 'application/json', expiration: '60000', headers: { id: 'x' } };
    const NOW = Date.parse('2030-01-01T00:00:00Z');

    it('publishes straight to the queue with no due time or under a second, keeping the expiration', async () => {
      const publisher = recordingPublisher();
      await publishAt(publisher, 'jobs', null, body, properties, () => NOW);
      await publishAt(publisher, 'jobs', new Date(NOW + 999), body, properties, () => NOW);
      await publishAt(publisher, 'jobs', new Date(NOW - 5000), body, properties, () => NOW);
      expect(publisher.calls).to.deep.equal([0, 1, 2].map(() => ['publish', '', 'jobs', properties]));
    });

    it('enters the lanes after ensuring the topology, without the expiration', async () => {
      const publisher = recordingPublisher();
      await publishAt(publisher, 'jobs', new Date(NOW + 3_700), body, properties, () => NOW);
      expect(publisher.calls).to.deep.equal([
        ['ensure', 'jobs'],
        ['publish', 'celery_delayed_1', delayRoutingKey(3, 'jobs'), { contentType: 'application/json', headers: { id: 'x' } }],
      ]);
    });

    it('measures the delay after the topology is declared, which can take a while', async () => {
      let now = NOW;
      const publisher = recordingPublisher();
      const slow = { ...publisher, ensureDelayTopology: async () => void (now += 1_500) };
      await publishAt(slow, 'jobs', new Date(NOW + 4_200), body, properties, () => now);
      expect(publisher.calls).to.deep.equal([['publish', 'celery_delayed_1', delayRoutingKey(2, 'jobs'), { contentType: 'application/json', headers: { id: 'x' } }]]);
    });
  });
});
