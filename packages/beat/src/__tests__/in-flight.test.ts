import { expect } from 'chai';
import { InFlight } from '../in-flight.js';

describe('InFlight', () => {
  it('marks a fire until it ends, and hands its error to the failure handler', async () => {
    const inFlight = new InFlight();
    const failures: unknown[] = [];
    let finish!: () => void;
    inFlight.start(
      'a',
      () => new Promise<void>((resolve) => (finish = resolve)),
      (error) => failures.push(error),
    );
    inFlight.start(
      'b',
      () => Promise.reject(new Error('store down')),
      (error) => failures.push(error),
    );
    expect(inFlight.has('a')).to.equal(true);
    await new Promise((resolve) => setImmediate(resolve));
    expect(inFlight.has('b')).to.equal(false);
    expect(failures.map((error) => (error as Error).message)).to.deep.equal(['store down']);
    let settled = false;
    const settling = inFlight.settled().then(() => (settled = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect([settled, inFlight.has('a')]).to.deep.equal([false, true]);
    finish();
    await settling;
    expect(inFlight.has('a')).to.equal(false);
  });

  it('keeps the mark of a successor started while a fire that ended at once had not yet unmarked itself', async () => {
    const inFlight = new InFlight();
    let finish!: () => void;
    inFlight.start(
      'a',
      async () => undefined,
      () => undefined,
    );
    inFlight.start(
      'a',
      () => new Promise<void>((resolve) => (finish = resolve)),
      () => undefined,
    );
    await new Promise((resolve) => setImmediate(resolve));
    expect(inFlight.has('a')).to.equal(true);
    finish();
    await inFlight.settled();
    expect(inFlight.has('a')).to.equal(false);
  });

  it('hands a fire that throws before returning its promise to the failure handler, and unmarks it', async () => {
    const inFlight = new InFlight();
    const failures: unknown[] = [];
    inFlight.start(
      'a',
      () => {
        throw new Error('no entry');
      },
      (error) => failures.push(error),
    );
    await inFlight.settled();
    await new Promise((resolve) => setImmediate(resolve));
    expect(failures.map((error) => (error as Error).message)).to.deep.equal(['no entry']);
    expect(inFlight.has('a')).to.equal(false);
  });
});
