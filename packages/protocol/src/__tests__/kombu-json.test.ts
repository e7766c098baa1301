import { expect } from 'chai';
import { ProtocolError } from '../errors.js';
import { MAX_JSON_DEPTH, parseJson, stringifyJson } from '../kombu-json.js';

/** Runs `work` with the process in another time zone, so "local time" differs from UTC. */
function inTimeZone<T>(zone: string, work: () => T): T {
  const previous = process.env.TZ;
  process.env.TZ = zone;
  try {
    return work();
  } finally {
    if (previous === undefined) delete process.env.TZ;
    else process.env.TZ = previous;
  }
}

describe('kombu JSON', () => {
  describe('big integers', () => {
    it('round-trips integers beyond 2**53 exactly as bigint', () => {
      const value = { big: 2n ** 70n, negative: -(2n ** 64n) + 1n, list: [9007199254740993n] };
      const text = stringifyJson(value);
      expect(text).to.equal(
        '{"big":1180591620717411303424,"negative":-18446744073709551615,"list":[9007199254740993]}',
      );
      expect(parseJson(text)).to.deep.equal(value);
    });

    it('leaves every safe integer a number, even next to a big one', () => {
      expect(parseJson('[1, 9007199254740991, 1180591620717411303424, 2.5, -3]')).to.deep.equal([
        1,
        9007199254740991,
        1180591620717411303424n,
        2.5,
        -3,
      ]);
    });

    it('leaves numbers alone when a long digit run sits only inside a string', () => {
      expect(parseJson('{"card": "4111111111111111", "n": 1}')).to.deep.equal({ card: '4111111111111111', n: 1 });
    });

    it('keeps floats floats, however many digits they have', () => {
      // eslint-disable-next-line no-loss-of-precision -- the literal is rounded as the JSON is: that is the point
      expect(parseJson('[0.1234567890123456789, 1e300]')).to.deep.equal([0.1234567890123456789, 1e300]);
    });
  });

  describe('stringifyJson', () => {
    it('writes undefined as null and drops undefined members, as JSON does', () => {
      expect(stringifyJson(undefined)).to.equal('null');
      expect(stringifyJson({ a: undefined, b: [undefined, 1n] })).to.equal('{"b":[null,1]}');
    });

    it('writes plain task bodies exactly as JSON.stringify does (the fast path)', () => {
      const embed = { callbacks: null, errbacks: null, chain: null, chord: null };
      const when = new Date(Date.UTC(2026, 11, 2, 20, 0, 0, 5));
      const bodies: unknown[] = [
        [[], {}, embed],
        [[1, 'two', 3.5, true, null, ['x'.repeat(100_000)], { when }], { k: [1, { n: -0 }] }, embed],
        { a: undefined, list: [undefined, 1], nested: { deeper: [[[[{ s: 'é\n"' }]]]] } },
      ];
      for (const body of bodies) expect(stringifyJson(body)).to.equal(JSON.stringify(body));
    });

    it('still writes bigints, NaN and the infinities as kombu does, at any depth (the checked path)', () => {
      const embed = { callbacks: null, errbacks: null, chain: null, chord: null };
      expect(stringifyJson([[2n ** 70n, 'x'.repeat(5000).length], {}, embed])).to.equal(
        '[[1180591620717411303424,5000],{},{"callbacks":null,"errbacks":null,"chain":null,"chord":null}]',
      );
      expect(stringifyJson([[Number.NaN], { i: [Infinity, -Infinity] }, embed])).to.equal(
        '[[NaN],{"i":[Infinity,-Infinity]},{"callbacks":null,"errbacks":null,"chain":null,"chord":null}]',
      );
      let deep: unknown = [Number.NaN, new Date(0)];
      for (let i = 0; i < 40; i++) deep = [deep];
      expect(stringifyJson(deep)).to.equal(`${'['.repeat(41)}NaN,"1970-01-01T00:00:00.000Z"${']'.repeat(41)}`);
      let deepPlain: unknown = [1, null];
      for (let i = 0; i < 40; i++) deepPlain = { d: deepPlain };
      expect(stringifyJson(deepPlain)).to.equal(JSON.stringify(deepPlain));
    });

    it('refuses a cycle with VALUE_UNENCODABLE, with or without a bigint in it', () => {
      const plain: Record<string, unknown> = { n: 1 };
      plain.self = plain;
      const withBigInt: Record<string, unknown> = { n: 1n };
      withBigInt.self = withBigInt;
      for (const value of [plain, withBigInt]) {
        expect(() => stringifyJson(value))
          .to.throw(ProtocolError)
          .with.property('code', 'VALUE_UNENCODABLE');
      }
    });
  });

  describe('nesting', () => {
    const nested = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;

    it(`reads a value nested ${MAX_JSON_DEPTH} levels deep and refuses one level more`, () => {
      expect(() => parseJson(nested(MAX_JSON_DEPTH))).not.to.throw();
      expect(() => parseJson(nested(MAX_JSON_DEPTH + 1))).to.throw(RangeError, /nested deeper than/);
    });

    it('refuses 100,000 levels, which JSON.parse alone would read, with or without an envelope', () => {
      expect(() => parseJson(nested(100_000))).to.throw(RangeError, /nested deeper than/);
      const withEnvelope = `[${nested(100_000)}, {"__type__": "date", "__value__": "2024-01-02"}]`;
      expect(() => parseJson(withEnvelope)).to.throw();
    });
  });

  describe('kombu >= 5.3 type envelopes', () => {
    it('decodes an aware datetime to the same instant', () => {
      const date = parseJson('{"__type__": "datetime", "__value__": "2024-01-02T03:04:05.123456+02:00"}');
      expect(date).to.be.instanceOf(Date);
      expect((date as Date).toISOString()).to.equal('2024-01-02T01:04:05.123Z');
    });

    it('decodes an envelope whose keys are spelled with \\u escapes (the text lacks "__type__")', () => {
      const date = parseJson('{"\\u005f_type__": "datetime", "\\u005f_value__": "2024-01-02T03:04:05Z"}');
      expect(date).to.be.instanceOf(Date);
      expect(parseJson('[{"__type__": "date", "__value__": "2024-01-02"}, "\\u00e9"]')).to.deep.equal([
        '2024-01-02',
        'é',
      ]);
    });

    it('reads a naive datetime as UTC, as Celery does, whatever the local zone', () => {
      const date = inTimeZone('America/New_York', () =>
        parseJson('{"__type__": "datetime", "__value__": "2024-01-02T03:04:05"}'),
      );
      expect((date as Date).toISOString()).to.equal('2024-01-02T03:04:05.000Z');
    });

    it('decodes date, time, decimal, uuid, bytes and base64 envelopes', () => {
      const text = JSON.stringify([
        { __type__: 'date', __value__: '2024-01-02' },
        { __type__: 'time', __value__: '03:04:05' },
        { __type__: 'decimal', __value__: '1.50' },
        { __type__: 'uuid', __value__: { hex: '0123456789abcdef0123456789abcdef', version: 4 } },
        { __type__: 'bytes', __value__: 'raw' },
        { __type__: 'base64', __value__: Buffer.from('hi').toString('base64') },
      ]);
      const [date, time, decimal, uuid, bytes, base64] = parseJson(text) as unknown[];
      expect([date, time, decimal, uuid, bytes]).to.deep.equal([
        '2024-01-02',
        '03:04:05',
        '1.50',
        '01234567-89ab-cdef-0123-456789abcdef',
        'raw',
      ]);
      expect(Buffer.isBuffer(base64) && base64.toString()).to.equal('hi');
    });

    it('decodes envelopes nested in a big-integer document too', () => {
      expect(parseJson('[1180591620717411303424, {"__type__": "decimal", "__value__": "2.5"}]')).to.deep.equal([
        1180591620717411303424n,
        '2.5',
      ]);
    });

    it('leaves objects that only look like envelopes alone', () => {
      const lookalike = { __type__: 'datetime', __value__: 'x', extra: 1 };
      expect(parseJson(JSON.stringify(lookalike))).to.deep.equal(lookalike);
    });

    it('refuses an unknown type marker with BODY_UNDECODABLE', () => {
      expect(() => parseJson('{"__type__": "pickle", "__value__": "x"}'))
        .to.throw(ProtocolError)
        .with.property('code', 'BODY_UNDECODABLE');
    });
  });
});
