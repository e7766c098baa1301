import { expect } from 'chai';
import {
  compileScheduleInput,
  ConfigurationError,
  firstDueMs,
  slotTaskId,
  type PlannedEntry,
  type ScheduleEntry,
  type ScheduleInput,
} from '@celeriac/core';
import { inMs, loopHarness, onceAt, sleep, until } from './fakes.js';

type Harness = ReturnType<typeof loopHarness>;

/**
 * Gives the harness's memory store a listPlanned, as the file store has one: `nextOf` plans each
 * schedule, `read` is what entry() does (the store's entry by default); `reads` names every read.
 */
function planWith(h: Harness, nextOf: (entry: ScheduleEntry) => number | null, read = (entry: ScheduleEntry) => entry) {
  const reads: string[] = [];
  const listPlanned = async (): Promise<PlannedEntry[]> =>
    (await h.store.list()).map((entry) => ({
      name: entry.name,
      next: nextOf(entry),
      entry: () => (reads.push(entry.name), read(entry)),
    }));
  Object.assign(h.store, { listPlanned });
  return reads;
}

describe('BeatLoop on a store that plans without reading (listPlanned)', () => {
  let h: Harness;
  afterEach(() => h.loop.stop());

  it('builds its heap from the planned times and reads an entry only when it comes due', async () => {
    h = loopHarness();
    const soon = inMs(30);
    await h.store.put(compile(onceAt('soon', soon)));
    await h.store.put(compile(onceAt('later', inMs(3_600_000))));
    const reads = planWith(h, firstDueMs);
    await h.loop.start();
    expect([reads, h.loop.scheduledCount]).to.deep.equal([[], 2]);
    await until(() => h.sender.sent.length === 1);
    expect(h.sender.sent[0]?.options.taskId).to.equal(slotTaskId('soon', soon));
    expect(reads).to.deep.equal(['soon']);
  });

  it('reads an entry planned too early (fires recorded since), fires nothing before its slot, then fires it once', async () => {
    h = loopHarness();
    const at = inMs(1500);
    await h.store.put(compile(onceAt('a', at)));
    const reads = planWith(h, () => Date.now() - 60_000);
    await h.loop.start();
    await until(() => reads.length === 1);
    // Popped at once and read: back in the heap at its own slot, nothing sent.
    expect(h.sender.sent).to.have.length(0);
    expect(h.loop.nextFireOf('a')?.getTime()).to.equal(at.getTime());
    await until(() => h.sender.sent.length === 1, 5000);
    await sleep(50);
    expect(h.sender.sent.map((task) => task.options.taskId)).to.deep.equal([slotTaskId('a', at)]);
    expect(reads).to.deep.equal(['a']);
  });

  it('moves a schedule edited before it was read, and never fires one removed or disabled before it was read', async () => {
    h = loopHarness();
    const due = inMs(300); // 'removed' and 'paused' would fire then, had their edits not taken them out
    await h.store.put(compile(onceAt('moved', inMs(60_000))));
    for (const name of ['removed', 'paused']) await h.store.put(compile(onceAt(name, due)));
    const reads = planWith(h, firstDueMs);
    await h.loop.start();
    const soon = inMs(40);
    await h.editor.update(onceAt('moved', soon));
    await h.editor.remove('removed');
    await h.editor.setEnabled('paused', false);
    expect([h.loop.nextFireOf('moved')?.getTime(), h.loop.scheduledCount]).to.deep.equal([soon.getTime(), 1]);
    await until(() => h.sender.sent.length === 1);
    await sleep(Math.max(0, due.getTime() - Date.now()) + 100);
    expect(h.sender.sent.map((task) => task.options.taskId)).to.deep.equal([slotTaskId('moved', soon)]);
    // The edits handed the loop their entries: none of the listed ones was read.
    expect(reads).to.deep.equal([]);
  });

  it('reports an entry the store cannot read with schedule:error, drops it, and fires the others', async () => {
    h = loopHarness();
    await h.store.put(compile(onceAt('broken', inMs(10))));
    const fine = inMs(20);
    await h.store.put(compile(onceAt('fine', fine)));
    planWith(h, firstDueMs, (entry) => {
      if (entry.name === 'broken') throw new ConfigurationError("schedule 'broken' is not a valid entry");
      return entry;
    });
    await h.loop.start();
    await until(() => h.sender.sent.length === 1);
    const errors = h.events.of('schedule:error').map(([{ name, error }]) => [name, error.message]);
    expect(errors).to.deep.equal([['broken', "schedule 'broken' is not a valid entry"]]);
    expect(h.sender.sent[0]?.options.taskId).to.equal(slotTaskId('fine', fine));
    expect([h.loop.running, h.loop.scheduledCount]).to.deep.equal([true, 0]);
  });
});

function compile(input: ScheduleInput) {
  return compileScheduleInput(input, new Date());
}
