import { expect } from 'chai';
import { anySignal } from '../execution/any-signal.js';

describe('anySignal', () => {
  it('aborts when any of its signals aborts, with that reason', () => {
    const [a, b] = [new AbortController(), new AbortController()];
    const combined = anySignal([a.signal, b.signal]);
    expect(combined.aborted).to.equal(false);
    b.abort('second');
    expect(combined.aborted).to.equal(true);
    expect(combined.reason).to.equal('second');
  });

  it('is aborted at once when a signal already is', () => {
    const done = AbortSignal.abort('early');
    const combined = anySignal([new AbortController().signal, done]);
    expect(combined.reason).to.equal('early');
  });

  it('returns the signal itself when all are the same', () => {
    const { signal } = new AbortController();
    expect(anySignal([signal, signal])).to.equal(signal);
  });
});
