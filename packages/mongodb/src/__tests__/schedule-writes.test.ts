import { expect } from 'chai';
import { entryOf, type ScheduleDocument } from '../schedule-writes.js';

/** A document as the driver hands it back: its own fresh objects. */
function stored(name: string, extra: Partial<ScheduleDocument> = {}): ScheduleDocument {
  return {
    _id: name,
    name,
    task: 'reports.daily',
    schedule: { kind: 'cron', expression: '0 6 * * *', timezone: 'Europe/Berlin' },
    args: [],
    kwargs: {},
    options: { queue: 'reports' },
    enabled: true,
    missedRuns: 'skip',
    maxCatchUp: 100,
    lastSlot: null,
    runCount: 0,
    createdAt: '2026-12-05T00:00:00.000Z',
    updatedAt: '2026-12-05T00:00:00.000Z',
    ...extra,
  };
}

describe('entryOf (a schedule document read back)', () => {
  it('shares the parts schedules have in common, frozen, as the file store does when it parses', () => {
    const [a, b] = [entryOf(stored('a')), entryOf(stored('b'))];
    for (const part of ['args', 'kwargs', 'options', 'schedule'] as const) {
      expect(a[part], part).to.equal(b[part]);
      expect(Object.isFrozen(a[part]), part).to.equal(true);
    }
  });

  it('leaves a document of an unexpected shape as it is, for the loop to report, instead of throwing', () => {
    const broken = { ...stored('broken'), schedule: undefined, options: null } as unknown as ScheduleDocument;
    const entry = entryOf(broken);
    expect(entry).to.include({ name: 'broken', schedule: undefined, options: null });
  });
});
