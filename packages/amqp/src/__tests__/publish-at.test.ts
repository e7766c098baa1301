import { expect } from 'chai';
import { MAX_DELAY_SECONDS, delayRoutingKey } from '@celeriac/protocol';
import { laneSeconds, publishAt, type DelayPublisher } from '../publish-at.js';
import type { PublishProperties } from '../publisher.js';

/** Records what publishAt asks of the publisher, in order. */
function recordingPublisher(): DelayPublisher & { calls: unknown[][] } {
  const calls: unknown[][] = [];
  return {
    calls,
    ensureDelayTopology: async (queue) => void calls.push(['ensure', queue]),
    publish: async (exchange, routingKey, _body, properties) =>
      void calls.push(['publish', exchange, routingKey, properties]),
  };
}

describe('delayed publishing', () => {
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
    const properties: PublishProperties = {
      contentType: 'application/json',
      expiration: '60000',
      headers: { id: 'x' },
    };
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
        [
          'publish',
          'celery_delayed_1',
          delayRoutingKey(3, 'jobs'),
          { contentType: 'application/json', headers: { id: 'x' } },
        ],
      ]);
    });

    it('measures the delay after the topology is declared, which can take a while', async () => {
      let now = NOW;
      const publisher = recordingPublisher();
      const slow = { ...publisher, ensureDelayTopology: async () => void (now += 1_500) };
      await publishAt(slow, 'jobs', new Date(NOW + 4_200), body, properties, () => now);
      expect(publisher.calls).to.deep.equal([
        [
          'publish',
          'celery_delayed_1',
          delayRoutingKey(2, 'jobs'),
          { contentType: 'application/json', headers: { id: 'x' } },
        ],
      ]);
    });
  });
});
