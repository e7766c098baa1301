import { expect } from 'chai';
import { InvalidArgumentError, isoString } from '../index.js';
import { isoInstant } from '../schedule/instant.js';

describe('isoString', () => {
  it('writes what toISOString writes, for Dates and epoch milliseconds, through hits and evictions of its memo', () => {
    const instants = [0, 1, 1_700_000_000_123, -62_167_219_200_000, 1, 0, 42, 43, 44, 45, 1, 1_700_000_000_123];
    for (const ms of instants) {
      expect(isoString(ms)).to.equal(new Date(ms).toISOString());
      expect(isoString(new Date(ms))).to.equal(new Date(ms).toISOString());
    }
  });

  it('throws toISOString’s RangeError for an invalid date, also right after a valid one', () => {
    isoString(5);
    expect(() => isoString(new Date(Number.NaN))).to.throw(RangeError);
    expect(() => isoString(Number.NaN)).to.throw(RangeError);
  });
});

describe('isoInstant', () => {
  const valid = [
    '2026-12-03T15:37:11.809Z',
    '2024-02-29T00:00:00.000Z', // a leap day
    '2000-02-29T12:00:00.000Z', // a leap day of a century divisible by 400
    '0000-01-01T00:00:00.000Z',
    '9999-12-31T23:59:59.999Z',
    '2026-02-29T00:00:00.000Z', // no such day: Date reads it as March 1
    '2026-04-31T10:00:00.000Z', // no such day: May 1
    '1900-02-29T10:00:00.000Z', // 1900 was not a leap year
    '2026-01-01T24:00:00.000Z', // read as the next midnight
    '2026-12-03T15:37:11Z',
    '2026-12-03T15:37:11.8Z',
    '2026-12-03T15:37:11.809z',
    '2026-12-03T16:37:11.809+01:00',
    '2026-12-03T15:37Z',
  ];

  it('writes what toISOString writes for every string Date reads, canonical already or not', () => {
    for (const text of valid) expect(isoInstant(text, 'anchor'), text).to.equal(new Date(text).toISOString());
    const date = new Date(1_700_000_000_123);
    expect(isoInstant(date, 'anchor')).to.equal(date.toISOString());
  });

  it('refuses what is not a date with a zone, naming the field', () => {
    for (const text of ['2026-13-01T00:00:00.000Z', '2026-12-03T15:37:60.000Z', '2026-12-03T15:37:11.809', 'soon', ''])
      expect(() => isoInstant(text, 'interval anchor'), text)
        .to.throw(InvalidArgumentError)
        .with.property('message')
        .that.includes('invalid interval anchor');
  });
});
