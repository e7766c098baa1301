import { expect } from 'chai';
import {
  compileScheduleInput,
  dueSlots,
  nextSlot,
  previewSlots,
  type NormalizedSpec,
  type ScheduleEntry,
} from '../index.js';

const iso = (dates: Date[]) => dates.map((date) => date.toISOString());

function cron(expression: string, timezone: string): NormalizedSpec {
  return compileScheduleInput(
    { name: 'dst', task: 'dst.task', schedule: { kind: 'cron', expression, timezone } },
    new Date('2024-01-01T00:00:00Z'),
  ).schedule;
}

/** The local calendar date of `date` in `zone`, e.g. '2024-03-10'. */
function localDay(date: Date, zone: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(
    date,
  );
}

describe('schedule maths: daylight-saving transitions', () => {
  describe('America/New_York (clocks move at 02:00 by one hour)', () => {
    it('a daily 02:30 fires once on the spring-forward day, at 03:30 EDT (the missing time shifted by the gap)', () => {
      const slots = previewSlots(
        { kind: 'cron', expression: '30 2 * * *', timezone: 'America/New_York' },
        new Date('2024-03-09T00:00:00Z'),
        3,
      );
      // 02:30 EST = 07:30Z; on March 10 02:30 does not exist → 03:30 EDT = 07:30Z; then 02:30 EDT = 06:30Z.
      expect(iso(slots)).to.deep.equal([
        '2024-03-09T07:30:00.000Z',
        '2024-03-10T07:30:00.000Z',
        '2024-03-11T06:30:00.000Z',
      ]);
    });

    it('a daily 01:30 fires once on the fall-back day, at the first of the two 01:30s', () => {
      const slots = previewSlots(
        { kind: 'cron', expression: '30 1 * * *', timezone: 'America/New_York' },
        new Date('2024-11-02T12:00:00Z'),
        2,
      );
      // 01:30 EDT = 05:30Z (the repeat, 01:30 EST = 06:30Z, does not fire); next day 01:30 EST = 06:30Z.
      expect(iso(slots)).to.deep.equal(['2024-11-03T05:30:00.000Z', '2024-11-04T06:30:00.000Z']);
    });

    it('a daily 02:30 fires once on the fall-back day too', () => {
      const slots = previewSlots(
        { kind: 'cron', expression: '30 2 * * *', timezone: 'America/New_York' },
        new Date('2024-11-02T12:00:00Z'),
        2,
      );
      expect(iso(slots)).to.deep.equal(['2024-11-03T07:30:00.000Z', '2024-11-04T07:30:00.000Z']);
    });

    it('an hourly schedule fires in both repeated hours (elapsed time is continuous)', () => {
      const slots = previewSlots(
        { kind: 'cron', expression: '30 * * * *', timezone: 'America/New_York' },
        new Date('2024-11-03T04:00:00Z'),
        4,
      );
      expect(iso(slots)).to.deep.equal([
        '2024-11-03T04:30:00.000Z',
        '2024-11-03T05:30:00.000Z',
        '2024-11-03T06:30:00.000Z',
        '2024-11-03T07:30:00.000Z',
      ]);
    });

    it('catching up across the spring-forward day fires each day once', () => {
      const entry = entryOf(cron('30 2 * * *', 'America/New_York'), {
        lastSlot: '2024-03-09T07:30:00.000Z',
        missedRuns: 'all',
      });
      const due = dueSlots(entry, new Date('2024-03-11T12:00:00Z'));
      expect(iso(due.fire)).to.deep.equal(['2024-03-10T07:30:00.000Z', '2024-03-11T06:30:00.000Z']);
      expect(due.next?.toISOString()).to.equal('2024-03-12T06:30:00.000Z');
    });
  });

  describe('Europe/Berlin (clocks move at 02:00/03:00 by one hour)', () => {
    it('a daily 02:30 fires once on the spring-forward day, at 03:30 CEST', () => {
      const slots = previewSlots(
        { kind: 'cron', expression: '30 2 * * *', timezone: 'Europe/Berlin' },
        new Date('2024-03-30T00:00:00Z'),
        3,
      );
      expect(iso(slots)).to.deep.equal([
        '2024-03-30T01:30:00.000Z',
        '2024-03-31T01:30:00.000Z',
        '2024-04-01T00:30:00.000Z',
      ]);
    });

    it('a daily 02:30 fires once on the fall-back day, at the first 02:30 (CEST)', () => {
      const slots = previewSlots(
        { kind: 'cron', expression: '30 2 * * *', timezone: 'Europe/Berlin' },
        new Date('2024-10-26T12:00:00Z'),
        2,
      );
      // 02:30 CEST = 00:30Z; the repeat 02:30 CET = 01:30Z does not fire; next day 02:30 CET = 01:30Z.
      expect(iso(slots)).to.deep.equal(['2024-10-27T00:30:00.000Z', '2024-10-28T01:30:00.000Z']);
    });

    it('a 6-field (seconds) daily 02:30:00 behaves the same on the spring-forward day', () => {
      expect(nextSlot(cron('0 30 2 * * *', 'Europe/Berlin'), new Date('2024-03-30T12:00:00Z'))?.toISOString()).to.equal(
        '2024-03-31T01:30:00.000Z',
      );
    });
  });

  describe('Australia/Lord_Howe (clocks move by 30 minutes)', () => {
    it('a daily 02:15 fires once on the spring-forward day, at 02:45 (the missing time shifted by the gap)', () => {
      const slots = previewSlots(
        { kind: 'cron', expression: '15 2 * * *', timezone: 'Australia/Lord_Howe' },
        new Date('2024-10-04T12:00:00Z'),
        3,
      );
      // 02:15 +10:30 = 15:45Z; Oct 6 02:00 → 02:30, so 02:15 → 02:45 +11 = 15:45Z; then 02:15 +11 = 15:15Z.
      expect(iso(slots)).to.deep.equal([
        '2024-10-04T15:45:00.000Z',
        '2024-10-05T15:45:00.000Z',
        '2024-10-06T15:15:00.000Z',
      ]);
    });

    it('a daily 02:00 on the spring-forward day fires at the end of the gap (02:30)', () => {
      expect(
        nextSlot(cron('0 2 * * *', 'Australia/Lord_Howe'), new Date('2024-10-05T12:00:00Z'))?.toISOString(),
      ).to.equal('2024-10-05T15:30:00.000Z');
    });

    it('keeps the valid times right after the gap (02:40) on the spring-forward day', () => {
      const slots = previewSlots(
        { kind: 'cron', expression: '*/20 * * * *', timezone: 'Australia/Lord_Howe' },
        new Date('2024-10-05T15:00:00Z'),
        4,
      );
      // 01:40 +10:30, the gap (02:00-02:30) once at 02:30 +11, then 02:40 and 03:00 +11.
      expect(iso(slots)).to.deep.equal([
        '2024-10-05T15:10:00.000Z',
        '2024-10-05T15:30:00.000Z',
        '2024-10-05T15:40:00.000Z',
        '2024-10-05T16:00:00.000Z',
      ]);
    });

    it('a daily 01:45 fires once on the fall-back day (01:30-02:00 happens twice)', () => {
      const slots = previewSlots(
        { kind: 'cron', expression: '45 1 * * *', timezone: 'Australia/Lord_Howe' },
        new Date('2024-04-05T12:00:00Z'),
        3,
      );
      expect(iso(slots)).to.deep.equal([
        '2024-04-05T14:45:00.000Z',
        '2024-04-06T14:45:00.000Z',
        '2024-04-07T15:15:00.000Z',
      ]);
    });
  });

  for (const zone of ['America/New_York', 'Europe/Berlin', 'Australia/Lord_Howe']) {
    it(`a daily 02:30 in ${zone} fires exactly once on every local day of a year`, () => {
      const slots = previewSlots(
        { kind: 'cron', expression: '30 2 * * *', timezone: zone },
        new Date('2024-01-01T00:00:00Z'),
        366,
      );
      const days = slots.map((slot) => localDay(slot, zone));
      expect(new Set(days).size).to.equal(366);
      slots
        .slice(1)
        .forEach((slot, index) => expect(slot.getTime()).to.be.greaterThan(slots[index]?.getTime() ?? Infinity));
    });
  }
});

function entryOf(schedule: NormalizedSpec, state: Partial<ScheduleEntry>): ScheduleEntry {
  return {
    name: 'dst',
    task: 'dst.task',
    schedule,
    args: [],
    kwargs: {},
    options: {},
    enabled: true,
    missedRuns: 'once',
    maxCatchUp: 100,
    lastSlot: null,
    runCount: 0,
    createdAt: '2024-01-01T00:00:00.000Z',
    updatedAt: '2024-01-01T00:00:00.000Z',
    ...state,
  };
}
