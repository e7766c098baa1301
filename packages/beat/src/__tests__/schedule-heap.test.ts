import { expect } from 'chai';
import { ScheduleHeap, type HeapItem } from '../schedule-heap.js';

function drain(heap: ScheduleHeap): HeapItem[] {
  const out: HeapItem[] = [];
  for (let item = heap.pop(); item; item = heap.pop()) out.push({ name: item.name, next: item.next });
  return out;
}

/** A tiny deterministic PRNG, so a failing run can be replayed. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return state / 2_147_483_648;
  };
}

describe('ScheduleHeap', () => {
  it('pops items in order of their next time', () => {
    const heap = new ScheduleHeap();
    for (const [name, next] of [
      ['c', 30],
      ['a', 10],
      ['e', 50],
      ['b', 20],
      ['d', 40],
    ] as const)
      heap.set(name, next);
    expect(heap.peek()).to.include({ name: 'a', next: 10 });
    expect(drain(heap).map((item) => item.name)).to.deep.equal(['a', 'b', 'c', 'd', 'e']);
    expect(heap.size).to.equal(0);
    expect(heap.pop()).to.equal(undefined);
  });

  it('moves an item when set again, earlier or later', () => {
    const heap = ScheduleHeap.from([
      { name: 'a', next: 10 },
      { name: 'b', next: 20 },
      { name: 'c', next: 30 },
    ]);
    heap.set('c', 5);
    heap.set('a', 25);
    expect(heap.size).to.equal(3);
    expect(heap.nextOf('a')).to.equal(25);
    expect(drain(heap)).to.deep.equal([
      { name: 'c', next: 5 },
      { name: 'b', next: 20 },
      { name: 'a', next: 25 },
    ]);
  });

  it('removes an item from anywhere and tells whether it was there', () => {
    const heap = ScheduleHeap.from(['a', 'b', 'c', 'd', 'e', 'f'].map((name, i) => ({ name, next: i })));
    expect(heap.remove('c')).to.equal(true);
    expect(heap.remove('a')).to.equal(true);
    expect(heap.remove('zz')).to.equal(false);
    expect(heap.has('c')).to.equal(false);
    expect(drain(heap).map((item) => item.name)).to.deep.equal(['b', 'd', 'e', 'f']);
  });

  it('keeps the last of duplicate names given to from()', () => {
    const heap = ScheduleHeap.from([
      { name: 'a', next: 1 },
      { name: 'a', next: 9 },
      { name: 'b', next: 5 },
    ]);
    expect(drain(heap)).to.deep.equal([
      { name: 'b', next: 5 },
      { name: 'a', next: 9 },
    ]);
  });

  it('matches a sorted reference over 10 000 random operations', () => {
    const next = random(42);
    const heap = new ScheduleHeap();
    const reference = new Map<string, number>();
    for (let op = 0; op < 10_000; op++) {
      const name = `s${Math.floor(next() * 500)}`;
      const roll = next();
      if (roll < 0.5) {
        const at = Math.floor(next() * 1_000_000);
        heap.set(name, at);
        reference.set(name, at);
      } else if (roll < 0.75) {
        expect(heap.remove(name)).to.equal(reference.delete(name));
      } else {
        const popped = heap.pop();
        const earliest = Math.min(...reference.values());
        if (reference.size === 0) expect(popped).to.equal(undefined);
        else {
          expect(popped?.next).to.equal(earliest);
          expect(reference.get((popped as HeapItem).name)).to.equal(earliest);
          reference.delete((popped as HeapItem).name);
        }
      }
      expect(heap.size).to.equal(reference.size);
    }
    const sorted = [...reference.values()].sort((a, b) => a - b);
    expect(drain(heap).map((item) => item.next)).to.deep.equal(sorted);
  });
});
