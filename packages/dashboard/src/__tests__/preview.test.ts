import { expect } from 'chai';
import { InvalidArgumentError } from '@celeriac/core';
import { nextFire, preview } from '../preview.js';
import { reprToJson } from '../repr-json.js';

describe('dashboard schedule preview', () => {
  const from = new Date('2025-03-28T12:00:00Z');

  it('shows wall time and offset in the zone, and marks the spring-forward day', () => {
    const slots = preview({ kind: 'cron', expression: '30 2 * * *', timezone: 'Europe/Warsaw' }, from, 3);
    expect(slots).to.deep.equal([
      { utc: '2025-03-29T01:30:00.000Z', local: '2025-03-29 02:30', offset: 'GMT+01:00', dstChange: false },
      { utc: '2025-03-30T01:30:00.000Z', local: '2025-03-30 03:30', offset: 'GMT+02:00', dstChange: true },
      { utc: '2025-03-31T00:30:00.000Z', local: '2025-03-31 02:30', offset: 'GMT+02:00', dstChange: false },
    ]);
  });

  it('marks the fall-back day, and no day in a zone without DST', () => {
    const october = new Date('2025-10-25T12:00:00Z');
    const warsaw = preview({ kind: 'cron', expression: '0 12 * * *', timezone: 'Europe/Warsaw' }, october, 2);
    expect(warsaw.map((slot) => slot.dstChange)).to.deep.equal([true, false]);
    const tokyo = preview({ kind: 'cron', expression: '0 12 * * *', timezone: 'Asia/Tokyo' }, october, 2);
    expect(tokyo.map((slot) => slot.dstChange)).to.deep.equal([false, false]);
  });

  it('refuses a bad expression or zone as @celeriac/core does', () => {
    expect(() => preview({ kind: 'cron', expression: '61 * * * *' }, from, 3)).to.throw(InvalidArgumentError, 'cron');
    expect(() => preview({ kind: 'cron', expression: '* * * * *', timezone: 'Nowhere/Else' }, from, 3)).to.throw(
      InvalidArgumentError,
      'time zone',
    );
    expect(() => preview({ kind: 'interval', everyMs: 500 }, from, 3)).to.throw(InvalidArgumentError, 'everyMs');
  });

  it('gives the next fire after the last slot, or after now', () => {
    const spec = { kind: 'cron', expression: '0 6 * * *', timezone: 'UTC' } as const;
    expect(nextFire(spec, null, from)).to.equal('2025-03-29T06:00:00.000Z');
    expect(nextFire(spec, '2025-04-02T06:00:00.000Z', from)).to.equal('2025-04-03T06:00:00.000Z');
  });
});

describe('reprToJson', () => {
  it('reads back plain Python literals', () => {
    expect(reprToJson("('valve 7', 3, 2.5, True, None)")).to.deep.equal(['valve 7', 3, 2.5, true, null]);
    expect(reprToJson('(1,)')).to.deep.equal([1]);
    expect(reprToJson("{'site': 'north', 'ids': [1, 2]}")).to.deep.equal({ site: 'north', ids: [1, 2] });
    expect(reprToJson('()')).to.deep.equal([]);
  });

  it('gives null for anything it cannot read exactly', () => {
    for (const repr of ['(datetime.date(2025, 1, 1),)', "('it\\'s',)", '(<object at 0x1>,)', "('a' 'b')", '(1, 2'])
      expect(reprToJson(repr), repr).to.equal(null);
  });
});
