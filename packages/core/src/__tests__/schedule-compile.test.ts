import { expect } from 'chai';
import {
  compileScheduleInput,
  InvalidArgumentError,
  nextSlot,
  previewSlots,
  type ScheduleInput,
  type ScheduleSpec,
} from '../index.js';

const NOW = new Date('2024-06-01T12:00:00.000Z');

function compile(overrides: Partial<ScheduleInput>) {
  return compileScheduleInput(
    {
      name: 'reports.hourly',
      task: 'reports.build',
      schedule: { kind: 'cron', expression: '0 * * * *' },
      ...overrides,
    },
    NOW,
  );
}

function rejects(overrides: Partial<ScheduleInput> | Record<string, unknown>, message: string | RegExp): void {
  const attempt = () => compile(overrides);
  expect(attempt).to.throw(InvalidArgumentError);
  try {
    attempt();
  } catch (error) {
    expect((error as InvalidArgumentError).code).to.equal('INVALID_ARGUMENT');
    if (typeof message === 'string') expect((error as Error).message).to.contain(message);
    else expect((error as Error).message).to.match(message);
  }
}

const cron = (expression: string, timezone?: string): ScheduleSpec => ({
  kind: 'cron',
  expression,
  ...(timezone === undefined ? {} : { timezone }),
});

describe('compileScheduleInput', () => {
  it('applies every default and keeps the definition JSON-safe', () => {
    const definition = compile({});
    expect(definition).to.deep.equal({
      name: 'reports.hourly',
      task: 'reports.build',
      schedule: { kind: 'cron', expression: '0 * * * *', timezone: 'UTC' },
      args: [],
      kwargs: {},
      options: {},
      enabled: true,
      missedRuns: 'once',
      maxCatchUp: 100,
    });
    expect(JSON.parse(JSON.stringify(definition))).to.deep.equal(definition);
  });

  it('keeps given fields, copies args and kwargs, and normalizes the expression and the zone', () => {
    const args = [1, { a: 2 }];
    const definition = compile({
      schedule: cron('  0   9 * *  mon-fri ', 'europe/berlin'),
      args,
      kwargs: { site: 'north' },
      options: { queue: 'reports', priority: 5, expires: 30 },
      enabled: false,
      missedRuns: 'all',
      maxCatchUp: 7,
    });
    expect(definition.schedule).to.deep.equal({
      kind: 'cron',
      expression: '0 9 * * mon-fri',
      timezone: 'Europe/Berlin',
    });
    expect(definition).to.include({ enabled: false, missedRuns: 'all', maxCatchUp: 7 });
    expect(definition.options).to.deep.equal({ queue: 'reports', priority: 5, expires: 30 });
    expect(definition.args).to.deep.equal(args);
    expect(definition.args).to.not.equal(args);
    expect(definition.kwargs).to.deep.equal({ site: 'north' });
  });

  it('accepts 6 fields (seconds first) and predefined expressions', () => {
    expect(compile({ schedule: cron('*/10 * * * * *') }).schedule).to.include({ expression: '*/10 * * * * *' });
    expect(compile({ schedule: cron('@daily', 'Asia/Tokyo') }).schedule).to.include({
      expression: '@daily',
      timezone: 'Asia/Tokyo',
    });
  });

  describe('rejects cron specs with a clear message', () => {
    it('out-of-range values', () =>
      rejects({ schedule: cron('61 * * * *') }, "invalid cron expression '61 * * * *': "));
    it('unknown time zones', () =>
      rejects({ schedule: cron('0 0 * * *', 'Mars/Olympus') }, "unknown time zone 'Mars/Olympus'"));
    it('empty expressions (cron-parser would read them as every minute)', () =>
      rejects({ schedule: cron('   ') }, 'the expression is empty'));
    it("'H' (a random value per parse: beats would disagree)", () =>
      rejects({ schedule: cron('H 2 * * *') }, "'H' (hashed values) is not supported"));
    it('but not day names that contain an h', () =>
      expect(compile({ schedule: cron('0 2 * * thu') }).schedule).to.include({ expression: '0 2 * * thu' }));
    it('expressions over 1024 characters', () =>
      rejects({ schedule: cron(`0 ${'1,'.repeat(520)}1 * * *`) }, 'longer than 1024 characters'));
    it('too few or too many fields', () => {
      rejects({ schedule: cron('* *') }, 'expected 5 fields');
      rejects({ schedule: cron('0 0 0 * * * *') }, 'got 7');
    });
    it('steps larger than the field (cron-parser would silently read */1000000 as 0)', () =>
      rejects({ schedule: cron('*/1000000 * * * *') }, 'step 1000000 in the minute field'));
    it('impossible dates', () => rejects({ schedule: cron('0 0 30 2 *') }, "invalid cron expression '0 0 30 2 *'"));
    it('a non-string expression', () => rejects({ schedule: { kind: 'cron', expression: 5 } }, 'expected a string'));
  });

  describe('interval specs', () => {
    it('anchor at `now` by default, as an ISO string', () => {
      expect(compile({ schedule: { kind: 'interval', everyMs: 60_000 } }).schedule).to.deep.equal({
        kind: 'interval',
        everyMs: 60_000,
        anchor: NOW.toISOString(),
      });
    });
    it('take a Date or ISO anchor', () => {
      expect(
        compile({ schedule: { kind: 'interval', everyMs: 1000, anchor: new Date('2024-01-01T00:00:00Z') } }).schedule,
      ).to.include({ anchor: '2024-01-01T00:00:00.000Z' });
      expect(
        compile({ schedule: { kind: 'interval', everyMs: 1000, anchor: '2024-01-01T01:00:00+01:00' } }).schedule,
      ).to.include({ anchor: '2024-01-01T00:00:00.000Z' });
    });
    it('reject periods under one second, over ten years, or not whole milliseconds', () => {
      rejects({ schedule: { kind: 'interval', everyMs: 999 } }, 'invalid interval everyMs 999');
      rejects({ schedule: { kind: 'interval', everyMs: 11 * 365 * 86_400_000 } }, 'ten years');
      rejects({ schedule: { kind: 'interval', everyMs: 1500.5 } }, 'whole milliseconds');
    });
    it('reject an invalid anchor', () =>
      rejects({ schedule: { kind: 'interval', everyMs: 1000, anchor: 'soon' } }, 'invalid interval anchor "soon"'));
  });

  describe('once specs', () => {
    it('take a Date or an ISO string with a zone', () => {
      expect(compile({ schedule: { kind: 'once', at: '2030-01-31T10:00:00+01:00' } }).schedule).to.deep.equal({
        kind: 'once',
        at: '2030-01-31T09:00:00.000Z',
      });
      expect(compile({ schedule: { kind: 'once', at: new Date('2030-01-31T09:00:00Z') } }).schedule).to.include({
        at: '2030-01-31T09:00:00.000Z',
      });
    });
    it('reject invalid dates and strings without a zone (they would be read in each host’s zone)', () => {
      rejects({ schedule: { kind: 'once', at: 'tomorrow' } }, 'invalid once schedule date "tomorrow"');
      rejects({ schedule: { kind: 'once', at: new Date('nope') } }, 'invalid once schedule date Invalid Date');
      rejects({ schedule: { kind: 'once', at: '2030-01-31T09:00:00' } }, 'with a zone');
    });
  });

  it('rejects unknown schedule kinds and missing specs', () => {
    rejects({ schedule: { kind: 'solar' } }, 'unknown schedule kind "solar"');
    rejects({ schedule: undefined }, 'invalid schedule undefined');
  });

  describe('rejects other fields with a message naming them', () => {
    it('names: empty, too long, control characters', () => {
      rejects({ name: '' }, 'invalid schedule name ""');
      rejects({ name: 'x'.repeat(201) }, 'expected 1 to 200 characters');
      rejects({ name: 'a\nb' }, 'without control characters');
    });
    it('task names', () =>
      rejects({ task: 'bad name!' }, "schedule 'reports.hourly': invalid task: invalid task name"));
    it('args and kwargs', () => {
      rejects({ args: { a: 1 } }, 'invalid args: expected an array');
      rejects({ kwargs: [1] }, 'invalid kwargs: expected an object');
      rejects({ args: [10n] }, 'not JSON-serializable');
    });
    it('options', () => {
      rejects({ options: { priority: 256 } }, 'invalid options.priority: expected an integer from 0 to 255');
      rejects({ options: { expires: 0 } }, 'invalid options.expires');
      rejects({ options: { queue: '' } }, 'invalid options.queue');
      rejects({ options: { countdown: 5 } }, "unknown option 'countdown'");
    });
    it('enabled, missedRuns and maxCatchUp', () => {
      rejects({ enabled: 'yes' }, 'invalid enabled');
      rejects({ missedRuns: 'never' }, "expected 'skip', 'once' or 'all'");
      rejects({ maxCatchUp: 0 }, 'invalid maxCatchUp');
      rejects({ maxCatchUp: 10_001 }, 'from 1 to 10000');
    });
    it('a non-object input', () =>
      expect(() => compileScheduleInput(null as unknown as ScheduleInput, NOW)).to.throw(
        InvalidArgumentError,
        'expected an object',
      ));
  });
});

describe('nextSlot', () => {
  it('is strictly after `after` for cron, also when `after` is a slot', () => {
    const spec = compile({}).schedule;
    expect(nextSlot(spec, new Date('2024-06-01T12:00:00.000Z'))?.toISOString()).to.equal('2024-06-01T13:00:00.000Z');
    expect(nextSlot(spec, new Date('2024-06-01T11:59:59.999Z'))?.toISOString()).to.equal('2024-06-01T12:00:00.000Z');
  });

  it('evaluates cron in the schedule’s zone', () => {
    const spec = compile({ schedule: cron('0 9 * * *', 'Asia/Tokyo') }).schedule;
    expect(nextSlot(spec, NOW)?.toISOString()).to.equal('2024-06-02T00:00:00.000Z');
  });

  it('returns null past the year 2999', () => {
    const spec = compile({ schedule: cron('0 0 1 1 *') }).schedule;
    expect(nextSlot(spec, new Date('2998-06-01T00:00:00Z'))?.toISOString()).to.equal('2999-01-01T00:00:00.000Z');
    expect(nextSlot(spec, new Date('2999-06-01T00:00:00Z'))).to.equal(null);
  });

  it('returns a once date only while it is in the future', () => {
    const spec = compile({ schedule: { kind: 'once', at: '2024-06-02T00:00:00Z' } }).schedule;
    expect(nextSlot(spec, NOW)?.toISOString()).to.equal('2024-06-02T00:00:00.000Z');
    expect(nextSlot(spec, new Date('2024-06-02T00:00:00Z'))).to.equal(null);
  });
});

describe('previewSlots', () => {
  it('lists the next slots after `from`', () => {
    const slots = previewSlots(cron('*/15 * * * *'), new Date('2024-06-01T12:05:00Z'), 3);
    expect(slots.map((slot) => slot.toISOString())).to.deep.equal([
      '2024-06-01T12:15:00.000Z',
      '2024-06-01T12:30:00.000Z',
      '2024-06-01T12:45:00.000Z',
    ]);
  });

  it('anchors an interval without an anchor at `from`', () => {
    const slots = previewSlots({ kind: 'interval', everyMs: 90_000 }, new Date('2024-06-01T12:00:00Z'), 2);
    expect(slots.map((slot) => slot.toISOString())).to.deep.equal([
      '2024-06-01T12:01:30.000Z',
      '2024-06-01T12:03:00.000Z',
    ]);
  });

  it('stops when a schedule ends', () => {
    expect(previewSlots({ kind: 'once', at: '2024-06-02T00:00:00Z' }, NOW, 5)).to.have.length(1);
  });

  it('validates the spec and the count like adding a schedule', () => {
    expect(() => previewSlots(cron('0 0 * * *', 'Nowhere/Land'), NOW, 3)).to.throw(
      InvalidArgumentError,
      "unknown time zone 'Nowhere/Land'",
    );
    expect(() => previewSlots(cron('0 0 * * *'), NOW, 0)).to.throw(InvalidArgumentError, 'from 1 to 1000');
    expect(() => previewSlots(cron('0 0 * * *'), NOW, 1001)).to.throw(InvalidArgumentError, 'from 1 to 1000');
    expect(() => previewSlots(cron('0 0 * * *'), new Date('x'), 1)).to.throw(
      InvalidArgumentError,
      'invalid preview start',
    );
  });
});
