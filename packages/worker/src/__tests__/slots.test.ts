import { expect } from 'chai';
import { Slots } from '../execution/slots.js';

/** A promise to resolve from outside, to hold work open until the test lets it go. */
function gate(): { opened: Promise<void>; open: () => void } {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}

describe('Slots', () => {
  it('never runs more than its size at once, and runs every job', async () => {
    const slots = new Slots(3);
    let running = 0;
    let peak = 0;
    const job = async (i: number) => {
      running += 1;
      peak = Math.max(peak, running);
      await new Promise((resolve) => setImmediate(resolve));
      running -= 1;
      return i;
    };
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => slots.run(() => job(i))));
    expect(results).to.deep.equal(Array.from({ length: 20 }, (_, i) => i));
    expect(peak).to.equal(3);
  });

  it('starts waiting jobs in arrival order as slots free up', async () => {
    const slots = new Slots(1);
    const first = gate();
    const order: string[] = [];
    const held = slots.run(async () => (await first.opened, order.push('first')));
    const later = ['second', 'third'].map((name) => slots.run(async () => order.push(name)));
    await new Promise((resolve) => setImmediate(resolve));
    expect(order).to.deep.equal([]);
    first.open();
    await Promise.all([held, ...later]);
    expect(order).to.deep.equal(['first', 'second', 'third']);
  });

  it('frees the slot when a job throws, and passes the error on', async () => {
    const slots = new Slots(1);
    const failed = slots.run(async () => {
      throw new Error('boom');
    });
    const next = slots.run(async () => 'ran');
    expect(await failed.catch((error: Error) => error.message)).to.equal('boom');
    expect(await next).to.equal('ran');
  });

  it('admits waiting jobs at once when it grows, and lets running jobs finish when it shrinks', async () => {
    const slots = new Slots(1);
    const gates = [gate(), gate(), gate()];
    const started: number[] = [];
    const runs = gates.map((g, i) => slots.run(async () => (started.push(i), await g.opened)));
    await new Promise((resolve) => setImmediate(resolve));
    expect(started).to.deep.equal([0]);
    slots.resize(3);
    await new Promise((resolve) => setImmediate(resolve));
    expect(started).to.deep.equal([0, 1, 2]);
    slots.resize(1);
    expect(slots.size).to.equal(1);
    const late = slots.run(async () => started.push(3));
    gates[0]!.open();
    gates[1]!.open();
    await Promise.all(runs.slice(0, 2));
    expect(started).to.have.length(3);
    gates[2]!.open();
    await Promise.all([runs[2], late]);
    expect(started).to.deep.equal([0, 1, 2, 3]);
  });
});
