import { expect } from 'chai';
import { RateLimitError, TokenBucket, parseRateLimit } from '../rate-limit.js';

describe('parseRateLimit (Celery rate strings)', () => {
  it('reads per second, minute and hour as tokens per second', () => {
    expect(parseRateLimit('10/s')).to.equal(10);
    expect(parseRateLimit('120/m')).to.equal(2);
    expect(parseRateLimit('3600/h')).to.equal(1);
    expect(parseRateLimit('0.5/s')).to.equal(0.5);
  });

  it('takes a bare number, string or not, as per second', () => {
    expect(parseRateLimit('10')).to.equal(10);
    expect(parseRateLimit(7)).to.equal(7);
  });

  it('reads falsy and zero limits as no limit', () => {
    for (const value of [null, undefined, '', 0, '0', '0/m']) expect(parseRateLimit(value)).to.equal(null);
  });

  it('refuses an unknown unit with KeyError as Celery does', () => {
    const error = catchError(() => parseRateLimit('5/d'));
    expect(error.code).to.equal('RATE_LIMIT_INVALID_UNIT');
    expect(error.pythonRepr).to.equal("KeyError('d')");
    expect(error.message).to.contain('unknown unit "d"');
  });

  it('refuses a count that is not a number with ValueError', () => {
    const error = catchError(() => parseRateLimit('ten/s'));
    expect(error.code).to.equal('RATE_LIMIT_INVALID_NUMBER');
    expect(error.pythonRepr).to.equal('ValueError("could not convert string to float: \'ten\'")');
    expect(() => parseRateLimit('-1/s')).to.throw(RateLimitError);
    expect(() => parseRateLimit({})).to.throw(RateLimitError);
  });
});

describe('TokenBucket (capacity one)', () => {
  it('lets one through per 1/rate seconds, without bursts after idling', () => {
    let now = 0;
    const bucket = new TokenBucket(5, () => now);
    expect(bucket.take()).to.equal(true);
    expect(bucket.take()).to.equal(false);
    expect(bucket.waitMs()).to.equal(200);
    now = 10_000;
    expect([bucket.take(), bucket.take()]).to.deep.equal([true, false]);
    now += 199;
    expect(bucket.take()).to.equal(false);
    now += 1;
    expect(bucket.take()).to.equal(true);
  });
});

function catchError(run: () => unknown): RateLimitError {
  try {
    run();
  } catch (error) {
    if (error instanceof RateLimitError) return error;
    throw error;
  }
  throw new Error('expected a RateLimitError');
}
