import { expect } from 'chai';
import { parseJson, stringifyJson } from '../kombu-json.js';
import { containsNonFinite } from '../non-finite-json.js';

describe('NaN and Infinity as Python json writes them', () => {
  describe('parseJson', () => {
    it('reads bare NaN, Infinity and -Infinity as numbers (what json.dumps writes for floats)', () => {
      const [args, kwargs] = parseJson('[[NaN, Infinity, -Infinity, 1.5], {"x": NaN}, {}]') as [
        number[],
        { x: number },
      ];
      expect(Number.isNaN(args[0])).to.equal(true);
      expect(args.slice(1)).to.deep.equal([Infinity, -Infinity, 1.5]);
      expect(Number.isNaN(kwargs.x)).to.equal(true);
    });

    it('leaves the words alone inside strings, also after escaped quotes', () => {
      expect(parseJson('["NaN", "a\\"Infinity", NaN]')).to.deep.equal(['NaN', 'a"Infinity', NaN]);
    });

    it('works beside big integers (the lossless parser)', () => {
      expect(parseJson('[12345678901234567890, -Infinity]')).to.deep.equal([12345678901234567890n, -Infinity]);
    });

    it('still refuses text that is not JSON', () => {
      expect(() => parseJson('[Nan]')).to.throw(SyntaxError);
      expect(() => parseJson('[NaNa]')).to.throw(SyntaxError);
      expect(() => parseJson('[1,')).to.throw(SyntaxError);
    });
  });

  describe('stringifyJson', () => {
    it('writes NaN and the infinities as bare tokens, never null', () => {
      expect(stringifyJson([NaN, Infinity, -Infinity, null, 'NaN'])).to.equal('[NaN,Infinity,-Infinity,null,"NaN"]');
      expect(stringifyJson({ result: NaN })).to.equal('{"result":NaN}');
    });

    it('does so beside big integers too, and round-trips through parseJson', () => {
      const text = stringifyJson([2n ** 70n, NaN]);
      expect(text).to.equal('[1180591620717411303424,NaN]');
      expect(parseJson(text)).to.deep.equal([2n ** 70n, NaN]);
    });

    it('leaves payloads without such numbers exactly as JSON.stringify writes them', () => {
      const value = { a: null, b: [1, 'x'], c: new Date(0) };
      expect(stringifyJson(value)).to.equal(JSON.stringify(value));
    });
  });

  it('containsNonFinite finds them anywhere JSON.stringify would write them', () => {
    expect(containsNonFinite({ a: [1, { b: -Infinity }] })).to.equal(true);
    expect(containsNonFinite({ a: [1, { b: 2 }], when: new Date(0) })).to.equal(false);
    expect(containsNonFinite(Object.create({ inherited: NaN }) as object)).to.equal(false);
  });
});
