import { expect } from 'chai';
import { delayRoutingKey } from '@celeriac/protocol';
import { laneSeconds, publishAt, type DelayPublisher } from '../publish-at.js';

/**
 * A countdown's whole seconds wait in the lanes; its sub-second rest is left to the eta header,
 * which every Celery worker honours by holding the message until then (a Celeriac worker in
 * memory, a Python 5.2 worker in its timer). So the lanes must round down, never up: rounding up
 * would deliver up to a second late, and no worker can make up lateness.
 */
describe('countdowns: whole seconds in the lanes, the rest in the eta', () => {
  const NOW = Date.parse('2030-01-01T00:00:00Z');

  it('never leaves a message in the lanes past its due time, nor a second or more before it', () => {
    for (const delayMs of [1000, 1001, 1600, 1999, 2600, 3999, 4000, 59_999.5, 86_400_123]) {
      const restMs = delayMs - laneSeconds(delayMs) * 1000;
      expect(restMs, `delay ${delayMs} ms`).to.be.within(0, 999.999);
    }
  });

  it('sends a 2.6 s countdown into the 2 s lane (celery_delayed_1), not the 3 s one', async () => {
    const published: string[][] = [];
    const publisher: DelayPublisher = {
      ensureDelayTopology: () => Promise.resolve(),
      publish: (exchange, key) => Promise.resolve(void published.push([exchange, key])),
    };
    await publishAt(publisher, 'jobs', new Date(NOW + 2_600), Buffer.from('[]'), {}, () => NOW);
    expect(published).to.deep.equal([['celery_delayed_1', delayRoutingKey(2, 'jobs')]]);
  });
});
