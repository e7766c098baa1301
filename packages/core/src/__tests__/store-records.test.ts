import { expect } from 'chai';
import { compileScheduleInput } from '../index.js';
import { putRecords } from '../schedule/store-records.js';

/** Every object reachable from `value`, `value` included. */
function objectsIn(value: unknown, found: object[] = []): object[] {
  if (typeof value !== 'object' || value === null) return found;
  found.push(value);
  for (const child of Object.values(value)) objectsIn(child, found);
  return found;
}

describe('store records', () => {
  it('puts entries that are frozen all the way down (stores hand out the objects they keep)', () => {
    const now = new Date('2030-01-01T00:00:00Z');
    const definitions = [
      compileScheduleInput({ name: 'cron', task: 't.a', schedule: { kind: 'cron', expression: '0 7 * * *' } }, now),
      compileScheduleInput(
        {
          name: 'interval',
          task: 't.b',
          schedule: { kind: 'interval', everyMs: 60_000 },
          args: [1, { deep: [2] }],
          kwargs: { site: { id: 'x', tags: ['a'] } },
          options: { queue: 'reports', priority: 3 },
        },
        now,
      ),
      compileScheduleInput({ name: 'once', task: 't.c', schedule: { kind: 'once', at: '2030-02-01T00:00:00Z' } }, now),
    ];
    const entries = putRecords(() => undefined, definitions, now);
    const objects = entries.flatMap((entry) => objectsIn(entry));
    expect(objects.length).to.be.greaterThan(entries.length * 5);
    for (const object of objects) expect(Object.isFrozen(object), JSON.stringify(object)).to.equal(true);
  });
});
