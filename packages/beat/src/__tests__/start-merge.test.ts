import { expect } from 'chai';
import { silentLogger, type PlannedEntry } from '@celeriac/core';
import { StartMerge } from '../start-merge.js';

const LISTING: PlannedEntry[] = [
  {
    name: 'a',
    next: 0,
    entry: () => {
      throw new Error('not read here');
    },
  },
];

/** A merge whose attempts hand out LISTING when asked to, then fail with `failures` in turn, then succeed. */
function attempts(failures: Error[]) {
  const calls: Array<{ listed: boolean }> = [];
  const merge = async (applied?: (listing: PlannedEntry[]) => void) => {
    calls.push({ listed: applied !== undefined });
    applied?.(LISTING);
    await new Promise((resolve) => setImmediate(resolve));
    const failure = failures.shift();
    if (failure) throw failure;
  };
  return { calls, merge };
}

describe('StartMerge: leading from a merge still being written', () => {
  it('hands its listing to one lead only, and to none once the merge is durable', async () => {
    const { merge } = attempts([]);
    const start = new StartMerge(merge, silentLogger, () => false);
    await start.applied;
    expect(start.take()).to.equal(LISTING);
    expect(start.take()).to.equal(null);
    await start.durable;

    const late = new StartMerge(attempts([]).merge, silentLogger, () => false);
    await late.durable;
    expect(late.take()).to.equal(null);
  });

  it('retries a write that failed before any lead took the listing, without listing early again', async function () {
    this.timeout(5000);
    const { calls, merge } = attempts([new Error('EIO')]);
    const start = new StartMerge(merge, silentLogger, () => false);
    await start.applied;
    await start.durable; // retried after the store's back-off (1 s)
    expect(calls).to.deep.equal([{ listed: true }, { listed: false }]);
    expect(start.take()).to.equal(null);
  });

  it('does not retry a write that failed after a lead took the listing: the start fails with it', async () => {
    const { calls, merge } = attempts([new Error('ENOSPC')]);
    const start = new StartMerge(merge, silentLogger, () => false);
    await start.applied;
    expect(start.take()).to.equal(LISTING);
    const error = await start.durable.then(
      () => null,
      (e: unknown) => e,
    );
    expect(String(error)).to.equal('Error: ENOSPC');
    expect(calls).to.have.length(1);
  });
});
