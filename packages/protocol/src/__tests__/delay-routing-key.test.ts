import { expect } from 'chai';
import {
  DELAY_LEVELS,
  MAX_DELAY_SECONDS,
  delayEntryLevel,
  delayRoutingKey,
  delayedDeliveryBindingKey,
  laneBindingKey,
  stripDelayPrefix,
} from '../delay-routing-key.js';

describe('delay-lane routing keys', () => {
  it('has 28 levels, so the longest delay is 2^28 - 1 seconds', () => {
    expect(DELAY_LEVELS).to.equal(28);
    expect(MAX_DELAY_SECONDS).to.equal(2 ** 28 - 1);
  });

  it("spells the delay as 28 binary digits, most significant first, then the destination (kombu's calculate_routing_key)", () => {
    expect(delayRoutingKey(5, 'celery')).to.equal(`${'0.'.repeat(25)}1.0.1.celery`);
    expect(delayRoutingKey(1, 'a.b')).to.equal(`${'0.'.repeat(27)}1.a.b`);
    expect(delayRoutingKey(MAX_DELAY_SECONDS, 'q')).to.equal(`${'1.'.repeat(28)}q`);
  });

  it('round-trips: stripping the prefix gives back the destination, and re-delaying does not stack prefixes', () => {
    for (const destination of ['celery', 'orders.eu', 'a.b.c']) {
      expect(stripDelayPrefix(delayRoutingKey(300, destination))).to.equal(destination);
      expect(delayRoutingKey(7, delayRoutingKey(300, destination))).to.equal(delayRoutingKey(7, destination));
    }
    expect(stripDelayPrefix('0.1.orders')).to.equal('0.1.orders');
  });

  it('refuses delays that are not whole seconds within the cascade', () => {
    for (const seconds of [0, -1, 1.5, MAX_DELAY_SECONDS + 1, Number.NaN]) {
      expect(() => delayRoutingKey(seconds, 'q'), String(seconds)).to.throw(RangeError);
      expect(() => delayEntryLevel(seconds), String(seconds)).to.throw(RangeError);
    }
  });

  it('enters at the level of the highest 1 digit', () => {
    expect([1, 2, 3, 5, 1024, MAX_DELAY_SECONDS].map(delayEntryLevel)).to.deep.equal([0, 1, 1, 2, 10, 27]);
  });

  it('binds each level to its own digit of the key, and destination queues to any key ending in their name', () => {
    expect(laneBindingKey(27, 1)).to.equal('1.#');
    expect(laneBindingKey(26, 0)).to.equal('*.0.#');
    expect(laneBindingKey(0, 1)).to.equal(`${'*.'.repeat(27)}1.#`);
    expect(delayedDeliveryBindingKey('orders')).to.equal('#.orders');
  });
});
