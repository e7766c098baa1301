import { expect } from 'chai';
import { compileScheduleInput, scheduleEntry, updateEntry } from '../index.js';

const definition = compileScheduleInput({
  name: 'a',
  task: 't.x',
  schedule: { kind: 'cron', expression: '* * * * *', timezone: 'UTC' },
  args: [1],
});
const stamps = { createdAt: '2026-01-01T00:00:00.000Z', updatedAt: '2026-01-01T00:00:00.000Z' };

describe('schedule entries', () => {
  it('updateEntry applies the changes and shares the definition parts instead of copying them', () => {
    const entry = scheduleEntry(definition, { lastSlot: null, runCount: 0 }, stamps);
    const fired = updateEntry(entry, { lastSlot: '2026-01-01T00:01:00.000Z', runCount: 1, enabled: false });
    expect(fired).to.deep.include({
      lastSlot: '2026-01-01T00:01:00.000Z',
      runCount: 1,
      enabled: false,
      createdAt: stamps.createdAt,
      updatedAt: stamps.updatedAt,
    });
    expect([fired.schedule, fired.args, fired.kwargs, fired.options]).to.deep.equal([
      entry.schedule,
      entry.args,
      entry.kwargs,
      entry.options,
    ]);
    expect(fired.args).to.equal(entry.args);
  });

  it('updateEntry keeps an explicit null lastSlot and the key order of scheduleEntry', () => {
    const entry = scheduleEntry(definition, { lastSlot: '2026-01-01T00:01:00.000Z', runCount: 1 }, stamps);
    const reset = updateEntry(entry, { lastSlot: null });
    expect(reset.lastSlot).to.equal(null);
    expect(Object.keys(reset)).to.deep.equal(Object.keys(entry));
  });
});
