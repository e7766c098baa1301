import { expect } from 'chai';
import {
  compileScheduleInput,
  ConfigurationError,
  dueSlots,
  firstDueMs,
  nextSlot,
  type ScheduleEntry,
  type ScheduleInput,
} from '../index.js';
import { cronCounters } from '../schedule/cron.js';

const HOUR = 3600_000;
const iso = (dates: Date[]) => dates.map((date) => date.toISOString());

/** An entry as a store would hold it: compiled at createdAt, with the given state. */
function entry(input: Partial<ScheduleInput>, state: Partial<ScheduleEntry> = {}): ScheduleEntry {
  const createdAt = state.createdAt ?? '2024-01-01T00:00:00.000Z';
  const definition = compileScheduleInput(
    { name: 'job', task: 'jobs.run', schedule: { kind: 'cron', expression: '0 * * * *' }, ...input },
    new Date(createdAt),
  );
  return { ...definition, lastSlot: null, runCount: 0, createdAt, updatedAt: createdAt, ...state };
}

describe('dueSlots', () => {
  describe('a cron schedule after a long gap (beat down for ten days)', () => {
    const lastSlot = '2024-03-01T00:00:00.000Z';
    const now = new Date('2024-03-11T00:30:00.000Z');

    it("policy 'once' (the default) fires the latest missed slot only", () => {
      const due = dueSlots(entry({}, { lastSlot }), now);
      expect(iso(due.fire)).to.deep.equal(['2024-03-11T00:00:00.000Z']);
      expect(due.next?.toISOString()).to.equal('2024-03-11T01:00:00.000Z');
    });

    it("policy 'all' fires the most recent maxCatchUp slots, oldest first", () => {
      const due = dueSlots(entry({ missedRuns: 'all', maxCatchUp: 3 }, { lastSlot }), now);
      expect(iso(due.fire)).to.deep.equal([
        '2024-03-10T22:00:00.000Z',
        '2024-03-10T23:00:00.000Z',
        '2024-03-11T00:00:00.000Z',
      ]);
    });

    it("policy 'all' fires every missed slot when they are fewer than the cap", () => {
      const due = dueSlots(entry({ missedRuns: 'all' }, { lastSlot: '2024-03-10T21:00:00.000Z' }), now);
      expect(iso(due.fire)).to.deep.equal([
        '2024-03-10T22:00:00.000Z',
        '2024-03-10T23:00:00.000Z',
        '2024-03-11T00:00:00.000Z',
      ]);
    });

    it("policy 'skip' fires nothing missed, only the next slot when it comes", () => {
      const due = dueSlots(entry({ missedRuns: 'skip' }, { lastSlot }), now);
      expect(due.fire).to.deep.equal([]);
      expect(due.next?.toISOString()).to.equal('2024-03-11T01:00:00.000Z');
      const onTime = dueSlots(entry({ missedRuns: 'skip' }, { lastSlot }), new Date('2024-03-11T01:00:00.400Z'));
      expect(iso(onTime.fire)).to.deep.equal(['2024-03-11T01:00:00.000Z']);
    });

    it("policy 'skip' treats a slot more than a second old as missed", () => {
      expect(
        dueSlots(entry({ missedRuns: 'skip' }, { lastSlot }), new Date('2024-03-11T01:00:01.000Z')).fire,
      ).to.deep.equal([]);
      expect(
        dueSlots(entry({ missedRuns: 'skip' }, { lastSlot }), new Date('2024-03-11T01:00:00.999Z')).fire,
      ).to.have.length(1);
    });
  });

  describe('a one-second schedule after a year of downtime (bounded work, no loop over 31 million slots)', () => {
    const lastSlot = '2023-01-01T00:00:00.000Z';
    const now = new Date('2024-01-01T00:00:00.500Z');

    it('interval: the latest slots by arithmetic', () => {
      const schedule = { kind: 'interval', everyMs: 1000, anchor: '2022-12-31T23:59:59.250Z' } as const;
      expect(iso(dueSlots(entry({ schedule }, { lastSlot }), now).fire)).to.deep.equal(['2024-01-01T00:00:00.250Z']);
      const all = dueSlots(entry({ schedule, missedRuns: 'all', maxCatchUp: 10_000 }, { lastSlot }), now);
      expect(all.fire).to.have.length(10_000);
      expect(all.fire[0]?.toISOString()).to.equal('2023-12-31T21:13:21.250Z');
      expect(all.next?.toISOString()).to.equal('2024-01-01T00:00:01.250Z');
    });

    it('cron with seconds: the latest slots by widening windows back from now', () => {
      const schedule = { kind: 'cron', expression: '* * * * * *' } as const;
      expect(iso(dueSlots(entry({ schedule }, { lastSlot }), now).fire)).to.deep.equal(['2024-01-01T00:00:00.000Z']);
      const all = dueSlots(entry({ schedule, missedRuns: 'all', maxCatchUp: 500 }, { lastSlot }), now);
      expect(all.fire).to.have.length(500);
      expect(all.fire[0]?.toISOString()).to.equal('2023-12-31T23:51:41.000Z');
      expect(all.fire[499]?.toISOString()).to.equal('2024-01-01T00:00:00.000Z');
    });

    it('cron with a dense burst after a quiet stretch (every second of one hour a year) still finds the latest slots', () => {
      const schedule = { kind: 'cron', expression: '* * 3 1 1 *' } as const;
      const due = dueSlots(
        entry({ schedule, missedRuns: 'all', maxCatchUp: 2 }, { lastSlot }),
        new Date('2023-06-01T00:00:00Z'),
      );
      expect(iso(due.fire)).to.deep.equal(['2023-01-01T03:59:58.000Z', '2023-01-01T03:59:59.000Z']);
      expect(due.next?.toISOString()).to.equal('2024-01-01T03:00:00.000Z');
    });
  });

  describe('an interval', () => {
    const schedule = { kind: 'interval', everyMs: 10 * 60_000, anchor: '2024-01-01T00:00:07.000Z' } as const;

    it('stays on its anchor grid however late it is evaluated (no drift)', () => {
      let last = new Date(schedule.anchor);
      for (const lateMs of [0, 1234, 599_999, 17]) {
        const next = nextSlot(
          compileScheduleInput({ name: 'i', task: 'i.t', schedule }).schedule,
          new Date(last.getTime() + lateMs),
        );
        expect((next!.getTime() - Date.parse(schedule.anchor)) % (10 * 60_000)).to.equal(0);
        expect(next!.getTime() - last.getTime()).to.equal(10 * 60_000);
        last = next!;
      }
    });

    it('fires the anchor itself when it is after createdAt, and nothing before it', () => {
      const future = { kind: 'interval', everyMs: 60_000, anchor: '2024-01-01T06:00:00.000Z' } as const;
      expect(dueSlots(entry({ schedule: future }), new Date('2024-01-01T05:59:59.000Z')).fire).to.deep.equal([]);
      expect(iso(dueSlots(entry({ schedule: future }), new Date('2024-01-01T06:00:00.000Z')).fire)).to.deep.equal([
        '2024-01-01T06:00:00.000Z',
      ]);
    });

    it('with the default anchor (when added) first fires one period later, like Celery', () => {
      const added = entry({ schedule: { kind: 'interval', everyMs: 60_000 } });
      expect(dueSlots(added, new Date(Date.parse(added.createdAt) + 59_999)).fire).to.deep.equal([]);
      expect(iso(dueSlots(added, new Date(Date.parse(added.createdAt) + 60_000)).fire)).to.deep.equal([
        '2024-01-01T00:01:00.000Z',
      ]);
    });

    it("catches up under 'all' from the last slot, by arithmetic", () => {
      const due = dueSlots(
        entry({ schedule, missedRuns: 'all' }, { lastSlot: '2024-01-01T00:20:07.000Z' }),
        new Date('2024-01-01T00:55:00Z'),
      );
      expect(iso(due.fire)).to.deep.equal([
        '2024-01-01T00:30:07.000Z',
        '2024-01-01T00:40:07.000Z',
        '2024-01-01T00:50:07.000Z',
      ]);
      expect(due.next?.toISOString()).to.equal('2024-01-01T01:00:07.000Z');
    });
  });

  describe('a schedule that never fired', () => {
    it('only considers slots after its createdAt', () => {
      const fresh = entry({ missedRuns: 'all' }, { createdAt: '2024-01-01T10:20:00.000Z' });
      expect(iso(dueSlots(fresh, new Date('2024-01-01T12:30:00Z')).fire)).to.deep.equal([
        '2024-01-01T11:00:00.000Z',
        '2024-01-01T12:00:00.000Z',
      ]);
      expect(dueSlots(fresh, new Date('2024-01-01T10:59:00Z')).fire).to.deep.equal([]);
    });

    it('does not fire a cron slot at the very instant it was added (Celery: a new entry waits)', () => {
      expect(
        dueSlots(entry({}, { createdAt: '2024-01-01T10:00:00.000Z' }), new Date('2024-01-01T10:00:00.500Z')).fire,
      ).to.deep.equal([]);
    });
  });

  describe('a once schedule', () => {
    const schedule = { kind: 'once', at: '2024-01-01T09:00:00.000Z' } as const;

    it('is not due before its date, then fires once, then is done', () => {
      const before = dueSlots(entry({ schedule }), new Date('2024-01-01T08:00:00Z'));
      expect(before).to.deep.equal({ fire: [], next: new Date(schedule.at) });
      expect(iso(dueSlots(entry({ schedule }), new Date('2024-01-01T09:00:00Z')).fire)).to.deep.equal([schedule.at]);
      expect(dueSlots(entry({ schedule }, { lastSlot: schedule.at }), new Date('2024-01-01T10:00:00Z'))).to.deep.equal({
        fire: [],
        next: null,
      });
    });

    it('whose date passed while beat was down fires under once/all, not under skip', () => {
      const late = new Date('2024-01-02T00:00:00Z');
      expect(dueSlots(entry({ schedule, missedRuns: 'once' }), late).fire).to.have.length(1);
      expect(dueSlots(entry({ schedule, missedRuns: 'all' }), late).fire).to.have.length(1);
      expect(dueSlots(entry({ schedule, missedRuns: 'skip' }), late)).to.deep.equal({ fire: [], next: null });
    });

    it('fires even when its date was before it was added (a one-off is explicit)', () => {
      expect(
        dueSlots(entry({ schedule }, { createdAt: '2024-01-01T09:00:00.010Z' }), new Date('2024-01-01T09:00:00.020Z'))
          .fire,
      ).to.have.length(1);
    });
  });

  it('fires nothing, and plans nothing, for a disabled schedule', () => {
    expect(
      dueSlots(entry({ enabled: false }, { lastSlot: '2024-01-01T00:00:00.000Z' }), new Date('2024-02-01T00:00:00Z')),
    ).to.deep.equal({ fire: [], next: null });
  });

  it('fires nothing when the clock is behind the last slot, and plans after that slot', () => {
    const due = dueSlots(entry({}, { lastSlot: '2024-01-01T12:00:00.000Z' }), new Date('2024-01-01T11:30:00Z'));
    expect(due).to.deep.equal({ fire: [], next: new Date('2024-01-01T13:00:00.000Z') });
  });

  it('has nothing due right after a fire, and the next slot one period on', () => {
    const due = dueSlots(entry({}, { lastSlot: '2024-01-01T12:00:00.000Z' }), new Date('2024-01-01T12:00:00.005Z'));
    expect(due.fire).to.deep.equal([]);
    expect(due.next!.getTime() - Date.parse('2024-01-01T12:00:00.000Z')).to.equal(HOUR);
  });

  it('computes a cron slot once for many schedules sharing the cron, not once per due check and lookup', () => {
    // A zone and expression no other case uses, so nothing is remembered from before.
    const spec: Partial<ScheduleInput> = {
      schedule: { kind: 'cron', expression: '7/15 * * * * *', timezone: 'Asia/Kathmandu' },
    };
    const slot = Date.parse('2024-05-01T00:00:07.000Z');
    const before = cronCounters.computed;
    for (let i = 0; i < 50; i++) {
      const due = dueSlots(entry(spec, { lastSlot: '2024-05-01T00:00:00.000Z' }), new Date(slot + 20 * i));
      expect(due.fire.map((date) => date.getTime())).to.deep.equal([slot]);
      expect(due.next?.getTime()).to.equal(slot + 15_000);
    }
    // Each due check asks from just before the slot and from the slot on: two answers, kept.
    expect(cronCounters.computed - before).to.be.at.most(3);
  });

  it('refuses an entry whose stored times do not parse (a hand-edited store), naming it, instead of planning NaN', () => {
    const every = { kind: 'interval', everyMs: 60_000, anchor: '2024-01-01T00:00:00Z' } as const;
    const broken = [
      entry({}, { createdAt: 'yesterday' }),
      entry({}, { lastSlot: 'soon' }),
      { ...entry({ schedule: every }), schedule: { ...every, anchor: 'noon' } },
    ];
    for (const stored of broken) {
      expect(() => firstDueMs(stored)).to.throw(ConfigurationError, "schedule 'job' is stored with");
      expect(() => dueSlots(stored, new Date('2024-03-01T00:00:00Z'))).to.throw(ConfigurationError);
    }
  });

  it('refuses a stored schedule of an unknown kind or with a period under a second, instead of looping or planning nothing', () => {
    const every = { kind: 'interval', everyMs: 60_000, anchor: '2024-01-01T00:00:00Z' } as const;
    const broken = [
      { ...entry({}), schedule: { kind: 'solar' } as unknown as ScheduleEntry['schedule'] },
      { ...entry({ schedule: every }), schedule: { ...every, everyMs: 0 } },
      { ...entry({ schedule: every }, { lastSlot: '2024-02-01T00:00:00.000Z' }), schedule: { ...every, everyMs: 0 } },
    ];
    for (const stored of broken) {
      expect(() => firstDueMs(stored)).to.throw(ConfigurationError, 'a stored');
      expect(() => dueSlots(stored, new Date('2024-03-01T00:00:00Z'))).to.throw(ConfigurationError, 'a stored');
    }
  });
});
