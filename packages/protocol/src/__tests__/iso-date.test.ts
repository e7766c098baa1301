import { expect } from 'chai';
import { formatCeleryDate, parseCeleryDate } from '../iso-date.js';

function iso(text: string): string | null {
  return parseCeleryDate(text)?.toISOString() ?? null;
}

describe('Celery dates', () => {
  describe('formatCeleryDate', () => {
    it('writes six fraction digits and +00:00, as Python isoformat() does', () => {
      expect(formatCeleryDate(new Date('2024-05-01T12:00:10.123Z'))).to.equal('2024-05-01T12:00:10.123000+00:00');
      expect(formatCeleryDate(new Date('2024-05-01T12:00:00Z'))).to.equal('2024-05-01T12:00:00.000000+00:00');
    });

    it('round-trips through parseCeleryDate to the same millisecond', () => {
      const date = new Date('1999-12-31T23:59:59.999Z');
      expect(parseCeleryDate(formatCeleryDate(date))?.getTime()).to.equal(date.getTime());
    });
  });

  describe('parseCeleryDate', () => {
    it('reads Z, +HH:MM, -HHMM and naive (UTC) forms', () => {
      expect(iso('2024-05-01T12:00:00Z')).to.equal('2024-05-01T12:00:00.000Z');
      expect(iso('2024-05-01T14:00:00+02:00')).to.equal('2024-05-01T12:00:00.000Z');
      expect(iso('2024-05-01T06:30:00-0530')).to.equal('2024-05-01T12:00:00.000Z');
      expect(iso('2024-05-01T12:00:00')).to.equal('2024-05-01T12:00:00.000Z');
    });

    it('reads a space separator, no seconds, and 1 to 6 fraction digits as a decimal fraction', () => {
      expect(iso('2024-05-01 12:00')).to.equal('2024-05-01T12:00:00.000Z');
      expect(iso('2024-05-01T12:00:00.5+00:00')).to.equal('2024-05-01T12:00:00.500Z');
      expect(iso('2024-05-01T12:00:00.123456+00:00')).to.equal('2024-05-01T12:00:00.123Z');
    });

    it('handles leap days and years before 100', () => {
      expect(iso('2024-02-29T00:00:00Z')).to.equal('2024-02-29T00:00:00.000Z');
      expect(parseCeleryDate('0099-06-01T00:00:00Z')?.getUTCFullYear()).to.equal(99);
    });

    for (const text of [
      '',
      'tomorrow',
      '2024-05-01',
      '2024-13-01T00:00:00',
      '2024-04-31T00:00:00',
      '2023-02-29T00:00:00',
      '2024-05-01T24:00:00',
      '2024-05-01T12:60:00',
      '2024-05-01T12:00:60',
      '2024-05-01T12:00:00.1234567',
      '2024-05-01T12:00:00+24:00',
      '2024-05-01T12:00:00+01:75',
    ]) {
      it(`refuses ${JSON.stringify(text)}`, () => {
        expect(parseCeleryDate(text)).to.equal(null);
      });
    }
  });
});
