/**
 * The pieces of `celeriac schedule` that need no broker: durations, zoned times, and how flags
 * become a schedule spec.
 */
import { expect } from 'chai';
import { formatDuration, parseDuration } from '../commands/durations.js';
import { storeUrl } from '../commands/beat.js';
import { zonedIso } from '../commands/zoned-time.js';

describe('schedule durations', function () {
  const cases: [string, number][] = [
    ['30s', 30_000],
    ['5m', 300_000],
    ['1h', 3_600_000],
    ['1d', 86_400_000],
    ['1h30m', 5_400_000],
    ['250ms', 250],
    ['1500', 1500],
    ['1.5s', 1500],
  ];
  for (const [text, ms] of cases) {
    it(`reads ${text} as ${ms} ms`, function () {
      expect(parseDuration(text, '--every')).to.equal(ms);
    });
  }

  for (const text of ['', '0', '0s', '-5s', '5x', 's', '5 m', '1e3']) {
    it(`rejects ${JSON.stringify(text)} naming the flag`, function () {
      expect(() => parseDuration(text, '--every')).to.throw(/^--every must be a duration/);
    });
  }

  it('formats whole units, largest first', function () {
    expect([90_000, 1500, 86_400_000, 3_600_000 + 1].map(formatDuration)).to.deep.equal([
      '1m30s',
      '1s500ms',
      '1d',
      '1h1ms',
    ]);
  });
});

describe('zoned times', function () {
  it('shows the offset in force, so a DST change is visible', function () {
    expect(zonedIso(new Date('2025-03-30T00:30:00Z'), 'Europe/Warsaw')).to.equal('2025-03-30T01:30:00+01:00');
    expect(zonedIso(new Date('2025-03-30T01:30:00Z'), 'Europe/Warsaw')).to.equal('2025-03-30T03:30:00+02:00');
    expect(zonedIso(new Date('2025-11-02T06:30:00Z'), 'America/Chicago')).to.equal('2025-11-02T01:30:00-05:00');
    expect(zonedIso(new Date('2025-11-02T07:30:00Z'), 'America/Chicago')).to.equal('2025-11-02T01:30:00-06:00');
  });

  it('writes midnight as 00, and UTC with a zero offset', function () {
    expect(zonedIso(new Date('2025-01-01T00:00:00Z'), 'UTC')).to.match(/^2025-01-01T00:00:00(Z|\+00:00)$/);
  });
});

describe('beat store URLs', function () {
  it('resolves a relative file: path against the working directory', function () {
    expect(storeUrl('file:./s.json', '/srv/app')).to.equal('file:/srv/app/s.json');
    expect(storeUrl('file:/abs/s.json', '/srv/app')).to.equal('file:/abs/s.json');
    expect(storeUrl('memory:', '/srv/app')).to.equal('memory:');
  });
});
