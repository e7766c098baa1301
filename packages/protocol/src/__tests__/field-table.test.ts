import { expect } from 'chai';
import { fromFieldValue, toFieldTable } from '../field-table.js';

describe('header field tables', () => {
  it("tags every integer int32 (py-amqp misreads amqplib's guessed short ints), nested ones too", () => {
    const table = toFieldTable({ small: 1, mid: 1000, list: [200, -3], nested: { retries: 40_000 } });
    expect(table).to.deep.equal({
      small: { '!': 'int', value: 1 },
      mid: { '!': 'int', value: 1000 },
      list: [
        { '!': 'int', value: 200 },
        { '!': 'int', value: -3 },
      ],
      nested: { retries: { '!': 'int', value: 40_000 } },
    });
  });

  it('writes beyond-int32 integers as long, and negative ones py-amqp would read unsigned as double', () => {
    expect(toFieldTable({ big: 2 ** 40, bigint: 2n ** 62n, negative: -(2 ** 40) })).to.deep.equal({
      big: { '!': 'long', value: 2 ** 40 },
      bigint: { '!': 'long', value: 2n ** 62n },
      negative: { '!': 'double', value: -(2 ** 40) },
    });
  });

  it('keeps strings, booleans and nulls, drops undefined, and writes Dates as ISO strings', () => {
    expect(toFieldTable({ s: 'x', t: true, n: null, u: undefined, d: new Date(0) })).to.deep.equal({
      s: 'x',
      t: true,
      n: null,
      d: '1970-01-01T00:00:00.000Z',
    });
  });

  it('passes values amqplib decoded (timestamps, decimals, byte arrays) back unchanged', () => {
    const received = {
      sent_at: { '!': 'timestamp', value: 1714564800 },
      price: { '!': 'decimal', value: { places: 2, digits: 1999 } },
      blob: Buffer.from([1, 2]),
    };
    expect(toFieldTable(received)).to.deep.equal(received);
  });

  it('reads a table back to plain values', () => {
    expect(fromFieldValue(toFieldTable({ a: 1, b: [2, 'x'], c: { d: 2n ** 40n }, e: null }))).to.deep.equal({
      a: 1,
      b: [2, 'x'],
      c: { d: 2n ** 40n },
      e: null,
    });
  });
  it('reads a table back in its key order, a __proto__ header as a key of its own', () => {
    const table = JSON.parse('{"z": 1, "__proto__": {"polluted": true}, "a": {"!": "int", "value": 2}}') as Record<
      string,
      unknown
    >;
    const plain = fromFieldValue(table) as Record<string, unknown>;
    expect(Object.keys(plain)).to.deep.equal(['z', '__proto__', 'a']);
    expect(Object.getPrototypeOf(plain)).to.equal(Object.prototype);
    expect(plain.a).to.equal(2);
    expect((plain as { polluted?: boolean }).polluted).to.equal(undefined);
  });
});
