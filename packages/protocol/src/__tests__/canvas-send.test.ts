import { expect } from 'chai';
import { canvasSends } from '../canvas-send.js';
import { decodeTask } from '../decode-task.js';
import { ProtocolError } from '../errors.js';
import { readSignature, signatureSend } from '../signature.js';
import type { Signature } from '../task-message.js';

const NOW = new Date('2026-01-01T00:00:00Z');

function sig(task: string, args: unknown[] = [], options: Record<string, unknown> = {}, immutable = false): Signature {
  return { task, args, kwargs: {}, options, subtask_type: null, immutable };
}

function ids(): () => string {
  let next = 0;
  return () => `id-${++next}`;
}

describe('signatures: what apply_async of a signature sends', function () {
  it('prepends the partial args, unless the signature is immutable', function () {
    const call = { args: [5] };
    expect(signatureSend(sig('t.a', [1]), call, ids(), NOW).message.args).to.deep.equal([5, 1]);
    expect(signatureSend(sig('t.a', [1], {}, true), call, ids(), NOW).message.args).to.deep.equal([1]);
  });

  it('takes its id, queue, reply_to and workflow from the options as Celery names them', function () {
    const next = sig('t.c', [], { task_id: 'c-id', reply_to: 'reply', queue: 'q2', countdown: 10, priority: 3 });
    const { message, queue } = signatureSend(next, { options: { parent_id: 'p', root_id: 'r' } }, ids(), NOW);
    expect(queue).to.equal('q2');
    expect(message).to.include({ id: 'c-id', replyTo: 'reply', parentId: 'p', rootId: 'r', priority: 3 });
    expect(message.eta?.toISOString()).to.equal('2026-01-01T00:00:10.000Z');
  });

  it("keeps a signature's own group_id over the caller's (Celery's immutable options)", function () {
    const send = signatureSend(sig('t.a', [], { group_id: 'mine' }), { options: { group_id: 'theirs' } }, ids(), NOW);
    expect(send.message.group).to.equal('mine');
  });

  it('sends a group as one message per task, indexed, under one group id', function () {
    const group: Signature = {
      ...sig('celery.group'),
      subtask_type: 'group',
      kwargs: { tasks: [sig('t.a', [1]), sig('t.b', [2], { queue: 'qb' })] },
    };
    const sends = canvasSends(group, { args: [0] }, ids(), NOW);
    expect(sends.map((send) => [send.message.name, send.message.args, send.message.groupIndex])).to.deep.equal([
      ['t.a', [0, 1], 0],
      ['t.b', [0, 2], 1],
    ]);
    expect(new Set(sends.map((send) => send.message.group)).size).to.equal(1);
    expect(sends[1]?.queue).to.equal('qb');
  });

  it('sends a chain as its first step, carrying the rest last step first', function () {
    const chain: Signature = {
      ...sig('celery.chain'),
      subtask_type: 'chain',
      kwargs: { tasks: [sig('t.a'), sig('t.b'), sig('t.c')] },
    };
    const [first, ...others] = canvasSends(chain, { args: [1] }, ids(), NOW);
    expect(others).to.be.empty;
    expect(first?.message.args).to.deep.equal([1]);
    expect(first?.message.embed?.chain?.map((step) => step.task)).to.deep.equal(['t.c', 't.b']);
  });

  it('refuses a chord as a callback with a clear error rather than dropping it', function () {
    const chord: Signature = { ...sig('celery.chord'), subtask_type: 'chord' };
    expect(() => canvasSends(chord, {}, ids(), NOW)).to.throw(ProtocolError, /chord signature cannot be sent/);
  });

  it('fills the defaults of a partial signature and refuses one without a task name', function () {
    expect(readSignature({ task: 't.a' }, 'link')).to.deep.equal(sig('t.a'));
    expect(() => readSignature({ args: [] }, 'link[0]')).to.throw(ProtocolError, 'link[0].task');
  });

  it('refuses, at decode, a message whose embed carries a broken signature', function () {
    const body = JSON.stringify([[], {}, { callbacks: [{ task: 't.ok', args: 'x' }], errbacks: null, chain: null }]);
    const message = {
      content: Buffer.from(body),
      properties: { contentType: 'application/json', headers: { task: 't.a', id: 'a-id' } },
    };
    expect(() => decodeTask(message))
      .to.throw(ProtocolError, 'callbacks[0].args')
      .with.property('code', 'SIGNATURE_INVALID');
  });
});
