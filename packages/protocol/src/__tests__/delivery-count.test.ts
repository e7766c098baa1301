import { expect } from 'chai';
import {
  DELIVERIES_HEADER,
  INTERRUPTED_HEADER,
  countedHeaders,
  readDeliveries,
  readInterrupted,
} from '../delivery-count.js';

describe('delivery-count headers', () => {
  it("are Celeriac's own x-celeriac-* names", () => {
    expect(DELIVERIES_HEADER).to.equal('x-celeriac-deliveries');
    expect(INTERRUPTED_HEADER).to.equal('x-celeriac-interrupted');
  });

  it('round-trip: a counted copy keeps the original headers, writes the count as int32, and flags an interrupted run', () => {
    const headers = countedHeaders({ task: 'tasks.add', [DELIVERIES_HEADER]: 1 }, 2, true);
    expect(headers[DELIVERIES_HEADER]).to.deep.equal({ '!': 'int', value: 2 });
    expect(headers.task).to.equal('tasks.add');
    expect(readDeliveries(headers)).to.equal(2);
    expect(readInterrupted(headers)).to.equal(true);
    expect(readInterrupted(countedHeaders({}, 3))).to.equal(false);
  });

  it('reads the count however a peer typed it, and 0 for anything unusable', () => {
    const cases = [
      [3, 3],
      [3n, 3],
      ['4', 4],
      [{ '!': 'int', value: 5 }, 5],
      [undefined, 0],
      [-1, 0],
      [1.5, 0],
      ['x', 0],
    ] as const;
    cases.forEach(([value, count], index) =>
      expect(readDeliveries({ [DELIVERIES_HEADER]: value }), `case ${index}`).to.equal(count),
    );
    expect(readDeliveries(undefined)).to.equal(0);
  });
});
