import { expect } from 'chai';
import { normaliseTableTags } from '../field-table-compat.js';

/** Builds a field table the way py-amqp writes one: key, tag, value. */
function entry(key: string, tag: string, value: Buffer): Buffer {
  return Buffer.concat([Buffer.from([key.length]), Buffer.from(key), Buffer.from(tag), value]);
}

function int64(value: bigint): Buffer {
  const buffer = Buffer.alloc(8);
  buffer.writeBigInt64BE(value);
  return buffer;
}

function sized(tag: 'F' | 'A' | 'S', body: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(body.length);
  return Buffer.concat([Buffer.from(tag), length, body]);
}

describe('py-amqp header tables', () => {
  it('rewrites the L tag of 64-bit integers to l, also inside nested tables and arrays', () => {
    const nested = entry('deep', 'L', int64(-(2n ** 40n)));
    const array = Buffer.concat([Buffer.from('L'), int64(2n ** 50n), Buffer.from('I'), Buffer.alloc(4)]);
    const table = Buffer.concat([
      entry('big', 'L', int64(2n ** 40n)),
      Buffer.concat([Buffer.from([6]), Buffer.from('nested'), sized('F', nested)]),
      Buffer.concat([Buffer.from([4]), Buffer.from('list'), sized('A', array)]),
      Buffer.concat([Buffer.from([3]), Buffer.from('str'), sized('S', Buffer.from('L L'))]),
    ]);
    expect(normaliseTableTags(table)).to.equal(true);
    expect(table.includes(Buffer.from('L'))).to.equal(true, 'the string value "L L" is left alone');
    const tags = [4, table.indexOf('deep') + 4, table.indexOf('list') + 9].map((index) =>
      String.fromCharCode(table[index] ?? 0),
    );
    expect(tags).to.deep.equal(['l', 'l', 'l']);
    expect(table.toString('latin1')).to.include('L L');
  });

  it('reports a table with an unknown tag instead of guessing', () => {
    expect(normaliseTableTags(entry('odd', 'Z', Buffer.alloc(4)))).to.equal(false);
  });
});
