import { expect } from 'chai';
import {
  DEAD_LETTER_HEADER,
  MAX_KEPT_HEADER_BYTES,
  clip,
  deadLetterHeaders,
  fromFieldValue,
  readDeadLetterInfo,
  requeuedHeaders,
} from '../index.js';

const stamp = {
  code: 'NOT_REGISTERED',
  reason: 'task x is not registered',
  queue: 'q',
  routingKey: 'q',
  node: 'n1',
  at: new Date('2026-01-01T00:00:00Z'),
};
const plain = (table: object) => fromFieldValue(table) as Record<string, unknown>;

describe('deadLetterHeaders', () => {
  it('whole: keeps every original header beside its own', () => {
    const headers = plain(deadLetterHeaders({ task: 'x', id: 'abc', retries: 2 }, stamp, 'whole'));
    expect(headers).to.deep.equal({
      task: 'x',
      id: 'abc',
      retries: 2,
      [DEAD_LETTER_HEADER.reason]: 'task x is not registered',
      [DEAD_LETTER_HEADER.code]: 'NOT_REGISTERED',
      [DEAD_LETTER_HEADER.queue]: 'q',
      [DEAD_LETTER_HEADER.routingKey]: 'q',
      [DEAD_LETTER_HEADER.at]: '2026-01-01T00:00:00.000Z',
      [DEAD_LETTER_HEADER.node]: 'n1',
    });
  });

  it('cut: shortens values over the limit, keeps the rest, and names what it cut', () => {
    const big = 'b'.repeat(MAX_KEPT_HEADER_BYTES + 1);
    const headers = plain(deadLetterHeaders({ task: 'x', big, blob: Buffer.alloc(5000), small: 7n }, stamp, 'cut'));
    expect(headers).to.include({ task: 'x', small: 7, [DEAD_LETTER_HEADER.cut]: 'big, blob' });
    expect(headers).not.to.have.property('blob');
    expect(String(headers.big)).to.match(/^b{256}… \(769 more characters\)$/);
    expect(headers[DEAD_LETTER_HEADER.reason]).to.equal(
      'task x is not registered; headers cut to fit the broker: big, blob',
    );
  });

  it('bare: leaves every original header out, naming at most twenty', () => {
    const many = Object.fromEntries(Array.from({ length: 25 }, (_, i) => [`h${i}`, i]));
    const headers = plain(deadLetterHeaders(many, stamp, 'bare'));
    expect(Object.keys(headers).filter((key) => !key.startsWith('x-celeriac-dead-'))).to.deep.equal([]);
    expect(headers[DEAD_LETTER_HEADER.cut]).to.match(/^h0, h1, .*, h19 and 5 more$/);
  });

  it('cuts a reason that quotes hostile input', () => {
    const headers = plain(deadLetterHeaders({}, { ...stamp, reason: 'r'.repeat(60_000) }, 'whole'));
    expect(String(headers[DEAD_LETTER_HEADER.reason]))
      .to.have.length.below(1100)
      .and.match(/… \(59000 more characters\)$/);
  });

  it('clip leaves short text alone', () => {
    expect(clip('short', 10)).to.equal('short');
  });
});

describe('readDeadLetterInfo and requeuedHeaders', () => {
  const at = new Date('2026-12-02T10:00:00.000Z');
  const maxed = { code: 'MAX_DELIVERIES', reason: 'delivered 5 times', queue: 'q', routingKey: 'q', node: 'n@h', at };
  const original = { id: 't-1', task: 'a.b', 'x-celeriac-deliveries': 5, 'x-delivery-count': 4, retries: 0 };

  it('reads back the stamp a dead letter carries', () => {
    expect(readDeadLetterInfo(deadLetterHeaders(original, maxed, 'whole'))).to.deep.equal(maxed);
  });

  it('reads what is missing or unusable as null', () => {
    expect(readDeadLetterInfo({ [DEAD_LETTER_HEADER.at]: 'not a time', [DEAD_LETTER_HEADER.code]: 7 })).to.deep.equal({
      code: null,
      reason: null,
      queue: null,
      routingKey: null,
      at: null,
      node: null,
    });
  });

  it('sends a dead letter back with its original headers and no delivery count', () => {
    const requeued = requeuedHeaders(deadLetterHeaders(original, maxed, 'whole'));
    expect(Object.fromEntries(Object.entries(requeued).map(([k, v]) => [k, fromFieldValue(v)]))).to.deep.equal({
      id: 't-1',
      task: 'a.b',
      retries: 0,
    });
  });
});
