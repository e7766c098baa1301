import { expect } from 'chai';
import { InvalidArgumentError } from '@celeriac/core';
import { parseCommand } from '../parse-command.js';

const json = (value: unknown) => Buffer.from(JSON.stringify(value));

describe('parseCommand', () => {
  it('accepts every command shape', () => {
    expect(parseCommand(json({ op: 'list' }))).to.deep.equal({ op: 'list' });
    for (const op of ['remove', 'enable', 'disable'])
      expect(parseCommand(json({ op, name: 'x' }))).to.deep.equal({ op, name: 'x' });
    const schedule = { name: 'x', task: 't', schedule: { kind: 'interval', everyMs: 1000 } };
    for (const op of ['add', 'update']) expect(parseCommand(json({ op, schedule }))).to.deep.equal({ op, schedule });
  });

  it('refuses malformed commands with INVALID_ARGUMENT and a message saying what is wrong', () => {
    const cases: Array<[Buffer, RegExp]> = [
      [Buffer.from('{not json'), /must be JSON/],
      [json([1, 2]), /JSON object/],
      [json({ op: 'explode' }), /unknown schedule command op "explode"/],
      [json({ op: 'remove' }), /schedule name/],
      [json({ op: 'enable', name: '' }), /schedule name/],
      [json({ op: 'add', schedule: 'every minute' }), /schedule object/],
    ];
    for (const [body, message] of cases) expect(() => parseCommand(body)).to.throw(InvalidArgumentError, message);
  });
});
