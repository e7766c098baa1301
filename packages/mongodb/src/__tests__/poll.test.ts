import { expect } from 'chai';
import { FIRST_POLL_MS, MAX_POLL_MS, nextPollMs, pollDelayMs } from '../index.js';

describe('result polling back-off', () => {
  it('starts at 50 ms and doubles up to 1 s', () => {
    const delays = [FIRST_POLL_MS];
    while (delays.length < 8) delays.push(nextPollMs(delays.at(-1)!));
    expect(delays).to.deep.equal([50, 100, 200, 400, 800, 1000, 1000, 1000]);
    expect(MAX_POLL_MS).to.equal(1000);
  });

  it('never sleeps past the deadline', () => {
    expect(pollDelayMs(800, 10_300, 10_000)).to.equal(300);
    expect(pollDelayMs(800, 9_000, 10_000)).to.equal(0);
    expect(pollDelayMs(800, null, 10_000)).to.equal(800);
  });
});
