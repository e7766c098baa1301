import { expect } from 'chai';
import { argsRepr, kwargsRepr, valueRepr } from '../py-repr.js';

/** The repr as it was written before the head-only writer: the whole text, then cut. */
function wholeRepr(value: unknown, depth = 0): string {
  if (depth > 20) return '...';
  if (value === null || value === undefined) return 'None';
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (typeof value === 'number')
    return Number.isNaN(value) ? 'nan' : Number.isFinite(value) ? String(value) : value > 0 ? 'inf' : '-inf';
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'string') return wholeString(value);
  if (Array.isArray(value)) return `[${value.map((item) => wholeRepr(item, depth + 1)).join(', ')}]`;
  if (value instanceof Date) return wholeString(value.toISOString());
  const entries = Object.entries(value as Record<string, unknown>);
  return `{${entries.map(([key, item]) => `${wholeString(key)}: ${wholeRepr(item, depth + 1)}`).join(', ')}}`;
}

function wholeString(value: string): string {
  const quote = value.includes("'") && !value.includes('"') ? '"' : "'";
  const escaped = value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/\t/g, '\\t');
  return quote + (quote === "'" ? escaped.replace(/'/g, "\\'") : escaped) + quote;
}

function cut(text: string, max = 1024): string {
  return text.length > max ? `${text.slice(0, max - 3)}...` : text;
}

function wholeArgs(args: unknown[]): string {
  const inner = args.map((arg) => wholeRepr(arg)).join(', ');
  return cut(args.length === 1 ? `(${inner},)` : `(${inner})`);
}

/** Strings around the cap with every character the escaping touches, at every position near it. */
function edgeStrings(): string[] {
  const specials = ['\\', '\n', '\r', '\t', "'", '"', '\ud83d\ude00', 'é'];
  const strings: string[] = [];
  for (const length of [1015, 1018, 1019, 1020, 1021, 1022, 1023, 1024, 1025, 1030, 3000])
    for (const special of specials) {
      strings.push(special.repeat(length / special.length));
      strings.push('x'.repeat(length - 5) + special + 'yyyy');
      strings.push(special + 'x'.repeat(length));
    }
  return strings;
}

describe('py repr', () => {
  it('writes short arguments as before', () => {
    expect(argsRepr([1, 'a', null, true, 2.5, 2n ** 70n, [1, { b: "it's" }]])).to.equal(
      "(1, 'a', None, True, 2.5, 1180591620717411303424, [1, {'b': \"it's\"}])",
    );
    expect(argsRepr(['x'])).to.equal("('x',)");
    expect(argsRepr([])).to.equal('()');
    expect(kwargsRepr({ a: 'x\ny', n: Number.NaN, i: -Infinity, d: new Date(0) })).to.equal(
      "{'a': 'x\\ny', 'n': nan, 'i': -inf, 'd': '1970-01-01T00:00:00.000Z'}",
    );
  });

  it('caps a 1 MB argument at 1,024 characters, the same text as cutting its whole repr', () => {
    const big = 'x'.repeat(1_000_000);
    const text = argsRepr([big]);
    expect(text).to.have.length(1024);
    expect(text).to.equal(wholeArgs([big]));
    expect(text.endsWith('xxx...')).to.equal(true);
  });

  it('matches the whole repr, cut, for long strings with escapes at the cut', () => {
    for (const value of edgeStrings()) {
      expect(argsRepr([value])).to.equal(wholeArgs([value]));
      expect(argsRepr([1, value, 'tail'])).to.equal(wholeArgs([1, value, 'tail']));
      expect(kwargsRepr({ key: value, other: 2 })).to.equal(cut(wholeRepr({ key: value, other: 2 })));
      expect(valueRepr(value, 100)).to.equal(cut(wholeRepr(value), 100));
    }
  });

  it('matches the whole repr, cut, for long lists, dicts and deep nesting', () => {
    const list = Array.from({ length: 5000 }, (_, i) => (i % 3 === 0 ? `s${i}'` : i));
    const dict = Object.fromEntries(list.map((item, i) => [`k${i}`, item]));
    let deep: unknown = 'bottom';
    for (let i = 0; i < 30; i++) deep = [deep, { i }];
    for (const value of [list, dict, deep, [list, dict], { deep, list }]) {
      expect(argsRepr([value])).to.equal(wholeArgs([value]));
      expect(valueRepr(value)).to.equal(cut(wholeRepr(value)));
    }
  });

  it('quotes a cut string as its whole would be quoted', () => {
    const value = `${"'".repeat(2000)}"`;
    expect(argsRepr([value])).to.equal(wholeArgs([value]));
    expect(argsRepr([value]).startsWith("('\\'")).to.equal(true);
  });
});
