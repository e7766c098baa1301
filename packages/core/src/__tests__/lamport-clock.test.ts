import { expect } from 'chai';
import { LamportClock } from '../lamport-clock.js';

describe('LamportClock', () => {
  it("moves forward on every send and past a received message's clock, as kombu's", () => {
    const clock = new LamportClock();
    expect(clock.forward()).to.equal(1);
    expect(clock.adjust(10)).to.equal(11);
    expect(clock.adjust(3)).to.equal(12);
    expect(clock.forward()).to.equal(13);
    expect(clock.value).to.equal(13);
  });
});
