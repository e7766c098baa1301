import { expect } from 'chai';
import { acksOnTheWire } from '../settle/acks-on-the-wire.js';

/** Counts turns of the event loop (immediates) until stopped. */
function turnCounter(): { turns: () => number; stop: () => void } {
  let turns = 0;
  let timer = setImmediate(function tick() {
    turns += 1;
    timer = setImmediate(tick);
  });
  return { turns: () => turns, stop: () => clearImmediate(timer) };
}

describe('acksOnTheWire', () => {
  it('waits three turns from each call, also when a wait begun earlier is still running', async () => {
    const counter = turnCounter();
    const ended: Array<[string, number, number]> = [];
    const track = (name: string) => {
      const from = counter.turns();
      return acksOnTheWire().then(() => void ended.push([name, from, counter.turns()]));
    };
    const waits = [track('first'), track('same stretch')];
    await new Promise((resolve) => setImmediate(resolve));
    waits.push(track('a turn later'));
    await Promise.all(waits);
    counter.stop();
    expect(ended.map(([name]) => name)).to.deep.equal(['first', 'same stretch', 'a turn later']);
    for (const [name, from, to] of ended) expect(to - from, name).to.be.at.least(3);
  });

  it('shares one wait among the calls of one stretch of code', async () => {
    const first = acksOnTheWire();
    expect(acksOnTheWire(), 'in the same stretch').to.equal(first);
    await first;
    expect(acksOnTheWire(), 'after turns have passed').to.not.equal(first);
  });
});
