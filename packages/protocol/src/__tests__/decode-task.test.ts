import { expect } from 'chai';
import { decodeTask } from '../decode-task.js';
import type { TaskMessage } from '../task-message.js';
import { TASK_FIXTURES, loadFixture, rawMessage } from './fixtures.js';

function decodeFixture(name: string): TaskMessage {
  return decodeTask(rawMessage(loadFixture(name)));
}

describe('decodeTask on messages from Celery 5.2.6', () => {
  for (const name of TASK_FIXTURES) {
    it(`${name}: reads id, name, routing and reply fields from headers and properties`, () => {
      const fixture = loadFixture(name);
      const task = decodeTask(rawMessage(fixture));
      expect(task.protocol).to.equal(2);
      expect(task.id).to.equal(fixture.headers.id);
      expect(task.name).to.equal(fixture.headers.task);
      expect(task.rootId).to.equal(fixture.headers.root_id);
      expect(task.correlationId).to.equal(fixture.properties.correlationId);
      expect(task.replyTo).to.equal(fixture.properties.replyTo);
      expect(task.priority).to.equal(fixture.properties.priority);
      expect(task.origin).to.equal(fixture.headers.origin);
      expect(task.headers).to.deep.equal(fixture.headers);
    });
  }

  it('v2-plain: positional args, empty kwargs, empty embed and Celery defaults', () => {
    const task = decodeFixture('v2-plain');
    expect(task.args).to.deep.equal([2, 3]);
    expect(task.kwargs).to.deep.equal({});
    expect(task.embed).to.deep.equal({ callbacks: null, errbacks: null, chain: null, chord: null });
    expect(task).to.include({
      eta: null,
      expires: null,
      retries: 0,
      parentId: null,
      group: null,
      groupIndex: null,
      shadow: null,
      ignoreResult: false,
    });
    expect(task.timeLimit).to.deep.equal({ hard: null, soft: null });
  });

  it('v2-kwargs-unicode: nested values, unicode, and 2**70 as an exact bigint beside plain numbers', () => {
    const task = decodeFixture('v2-kwargs-unicode');
    expect(task.args).to.deep.equal([
      { nested: { list: [1, 'two', null], flag: true } },
      null,
      1.5,
      1180591620717411303424n,
      'żółć ✓ 漢字',
    ]);
    expect(task.kwargs).to.deep.equal({ a: { b: [1, null] } });
    expect(typeof (task.kwargs as { a: { b: unknown[] } }).a.b[0]).to.equal('number');
  });

  it('v2-options: eta and expires become Dates at the instants Python wrote', () => {
    const task = decodeFixture('v2-options');
    expect(task.eta?.toISOString()).to.equal('2026-11-23T23:38:10.091Z');
    expect(task.expires?.toISOString()).to.equal('2026-11-23T23:39:00.091Z');
    expect(task.priority).to.equal(5);
  });

  it('v2-options: the link callback arrives in embed.callbacks', () => {
    const task = decodeFixture('v2-options');
    expect(task.embed.callbacks).to.deep.equal([
      { task: 'proj.add', args: [10], kwargs: {}, options: {}, subtask_type: null, immutable: false },
    ]);
    expect(task.embed.errbacks).to.equal(null);
  });

  it('v2-timelimit: [30, 20] is hard 30, soft 20, and custom headers are kept', () => {
    const task = decodeFixture('v2-timelimit');
    expect(task.timeLimit).to.deep.equal({ hard: 30, soft: 20 });
    expect(task.headers).to.include({ x_num: 1000, x_str: 'hi' });
  });

  it('v2-chain: the rest of the chain, in reverse order, with pre-assigned task ids', () => {
    const task = decodeFixture('v2-chain');
    const chain = task.embed.chain ?? [];
    expect(chain.map((signature) => signature.args)).to.deep.equal([[4], [3]]);
    expect(chain.map((signature) => signature.options.task_id)).to.deep.equal([
      '278e8371-9e9a-4106-910a-7cc16ab31b90',
      'acbc5593-a283-4fad-91fa-dc9c49b87ab9',
    ]);
  });

  it('v1: everything read from the body object, the eta included', () => {
    const task = decodeFixture('v1');
    expect(task).to.include({
      protocol: 1,
      id: '1cf9f426-6a97-443a-b485-49081f6cf584',
      name: 'proj.add',
      retries: 0,
      group: null,
    });
    expect(task.args).to.deep.equal([2, 3]);
    expect(task.kwargs).to.deep.equal({});
    expect(task.eta?.toISOString()).to.equal('2026-11-23T23:38:10.129Z');
    expect(task.replyTo).to.equal('04b43ab7-a243-3ca2-85d5-68908a1c5156');
    expect(task.timeLimit).to.deep.equal({ hard: null, soft: null });
  });
});
