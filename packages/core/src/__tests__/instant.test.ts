import { expect } from 'chai';
import { isoString } from '../index.js';

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
