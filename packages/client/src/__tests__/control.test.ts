import { expect } from 'chai';
import { InvalidArgumentError } from '@celeriac/core';
import { revokeArguments } from '../control.js';
import { compileSendOptions, taskInput } from '../send-options.js';

describe('revoke arguments', () => {
  it("sends one id as a bare string and terminate false, as Python's app.control.revoke(id)", () => {
    expect(revokeArguments('id-1')).to.deep.equal({ task_id: 'id-1', terminate: false, signal: 'SIGTERM' });
  });

  it('sends several ids as a list, with terminate when asked', () => {
    expect(revokeArguments(['a', 'b'], { terminate: true })).to.deep.equal({
      task_id: ['a', 'b'],
      terminate: true,
      signal: 'SIGTERM',
    });
  });

  for (const bad of [[], [''], '', [1], null]) {
    it(`refuses ${JSON.stringify(bad)} as task ids`, () => {
      expect(() => revokeArguments(bad as string[])).to.throw(InvalidArgumentError, 'task id');
    });
  }

  it('refuses a terminate that is not a boolean', () => {
    expect(() => revokeArguments('a', { terminate: 'yes' as unknown as boolean })).to.throw(
      InvalidArgumentError,
      'terminate',
    );
  });
});

describe('send option timeLimit', () => {
  const now = new Date('2024-05-01T12:00:00.000Z');

  it('becomes the timelimit header in seconds, [hard, soft], fractions kept', () => {
    const compiled = compileSendOptions({ timeLimit: { hardMs: 1500, softMs: 250 } }, now);
    expect(taskInput({ id: 'i', name: 't' }, compiled).timeLimit).to.deep.equal({ hard: 1.5, soft: 0.25 });
  });

  it('leaves a limit that is not given null', () => {
    expect(compileSendOptions({ timeLimit: { softMs: 1000 } }, now).timeLimit).to.deep.equal({ hard: null, soft: 1 });
    expect(compileSendOptions({}, now).timeLimit).to.deep.equal({ hard: null, soft: null });
  });

  for (const bad of [{ hardMs: 0 }, { softMs: -1 }, { hardMs: Number.NaN }, { hardMs: '1000' }]) {
    it(`refuses ${JSON.stringify(bad)}`, () => {
      expect(() => compileSendOptions({ timeLimit: bad as { hardMs?: number } }, now)).to.throw(
        InvalidArgumentError,
        'timeLimit.',
      );
    });
  }

  it('refuses a timeLimit that is not an object', () => {
    expect(() => compileSendOptions({ timeLimit: 5 as unknown as { hardMs?: number } }, now)).to.throw(
      InvalidArgumentError,
      'timeLimit',
    );
  });
});
