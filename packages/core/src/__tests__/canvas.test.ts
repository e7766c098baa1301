/**
 * The canvas API: the wire form of what it builds, and, at compile time (`@ts-expect-error`
 * lines fail the build if they compile), that a wrong chain or chord does not type-check.
 */
import { expect } from 'chai';
import { chain, chord, group, signature, type CanvasResult } from '../canvas.js';
import { defineTask } from '../task-contract.js';
import { InvalidArgumentError } from '../errors.js';

const add = defineTask<[x: number, y: number], number>('t.add');
const format = defineTask<[value: number, unit: string], string>('t.format');
const shout = defineTask<[text: string], string>('t.shout');
const total = defineTask<[values: number[]], number>('t.total');
const summary = defineTask<[counts: [number, number]], string>('t.summary');

/** Compiles only when A and B are the same type. */
function sameType<A, B>(..._proof: [A] extends [B] ? ([B] extends [A] ? [] : [never]) : [never]): void {}

describe('canvas', function () {
  it('serialises a signature as Celery does, with partial args and options', function () {
    expect(add.s(2).set({ queue: 'math' }).toSignature()).to.deep.equal({
      task: 't.add',
      args: [2],
      kwargs: {},
      options: { queue: 'math' },
      subtask_type: null,
      immutable: false,
    });
    expect(add.si(1, 2).toSignature()).to.include({ immutable: true });
  });

  it('keeps a contract a plain { name } for comparison and JSON', function () {
    expect(JSON.stringify(add)).to.equal('{"name":"t.add"}');
  });

  it('serialises chain, group and chord as celery.chain, celery.group and celery.chord', function () {
    const flow = chain(add.s(1, 2), format.s('kg'), shout.s());
    expect(flow.toSignature()).to.deep.include({ task: 'celery.chain', subtask_type: 'chain' });
    expect((flow.toSignature().kwargs.tasks as unknown[]).length).to.equal(3);
    const join = chord(group(add.s(1, 1), add.s(2, 2)), summary.s());
    expect(join.toSignature().kwargs).to.have.keys('header', 'body', 'kwargs');
  });

  it('types a chain by its last step, a group by the tuple of its results', function () {
    const flow = chain(add.s(1, 2), format.s('kg'));
    sameType<CanvasResult<typeof flow>, string>();
    // @ts-expect-error: the proof itself fails on a wrong type
    sameType<CanvasResult<typeof flow>, number>();
    const all = group(add.s(1, 1), format.s(1, 'kg'));
    sameType<CanvasResult<typeof all>, [number, string]>();
    expect([flow, all].map((canvas) => canvas.toSignature().subtask_type)).to.deep.equal(['chain', 'group']);
  });

  it('refuses, at compile time, a step that cannot take the previous result', function () {
    // @ts-expect-error: shout takes a string, add returns a number
    chain(add.s(1, 2), shout.s());
    // @ts-expect-error: a signature with all its arguments cannot take the previous result too
    chain(add.s(1, 2), add.s(3, 4));
    // @ts-expect-error: the partial args are the task's other arguments: format's second is a string
    chain(add.s(1, 2), format.s(3));
    // An immutable step ignores the previous result, so any type is fine.
    chain(add.s(1, 2), shout.si('done'));
    // A task known only by name accepts anything, and so does a contract without argument types.
    chain(add.s(1, 2), signature('py.anything'));
    const untyped = defineTask('t.untyped');
    chain(add.s(1, 2), untyped.s('extra'), untyped.s());
  });

  it("refuses, at compile time, a chord whose callback does not take the header's results", function () {
    chord(group(add.s(1, 1), add.s(2, 2)), summary.s());
    chord(group(add.s(1, 1), add.s(2, 2)), total.s());
    // @ts-expect-error: shout takes a string, the header gives [number, number]
    chord(group(add.s(1, 1), add.s(2, 2)), shout.s());
    // @ts-expect-error: summary takes two numbers, the header gives a number and a string
    chord(group(add.s(1, 1), format.s(1, 'kg')), summary.s());
  });

  it('builds map, starmap and chunks exactly as Celery 5 serialises them', function () {
    const inner = { task: 't.add', args: [], kwargs: {}, options: {}, subtask_type: null, immutable: false };
    const double = defineTask<[x: number], number>('t.double');
    expect(add.starmap([[1, 2]]).toSignature()).to.deep.equal({
      task: 'celery.starmap',
      args: [],
      kwargs: { task: inner, it: [[1, 2]] },
      options: {},
      subtask_type: null,
      immutable: true,
    });
    expect(double.map([1, 2]).toSignature()).to.deep.include({ task: 'celery.map', immutable: true });
    const chunked = add
      .chunks(
        [
          [1, 2],
          [3, 4],
          [5, 6],
        ],
        2,
      )
      .toSignature();
    expect(chunked.subtask_type).to.equal('group');
    const parts = chunked.kwargs.tasks as { kwargs: { it: unknown[] } }[];
    expect(parts.map((part) => part.kwargs.it)).to.deep.equal([
      [
        [1, 2],
        [3, 4],
      ],
      [[5, 6]],
    ]);
    const lists = add.chunks([[1, 2]], 1);
    sameType<CanvasResult<typeof lists>, number[][]>();
    expect(lists.members).to.have.length(1);
    // @ts-expect-error: map is for one-argument tasks; add takes two (use starmap)
    add.map([1, 2]);
    // @ts-expect-error: starmap items are the task's argument lists
    add.starmap([['a', 2]]);
    expect(() => add.chunks([[1, 2]], 0)).to.throw(InvalidArgumentError, 'chunk size');
  });

  it('refuses a group in the middle of a chain: that is a chord', function () {
    const middle = group(add.s(1, 1)) as unknown as ReturnType<typeof shout.si>;
    expect(() => chain(add.s(1, 2), middle, shout.s())).to.throw(InvalidArgumentError, /chord/);
  });
});
