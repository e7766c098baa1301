import { expect } from 'chai';
import { InvalidArgumentError, MemoryScheduleStore, type ScheduleEntry, type ScheduleInput } from '@celeriac/core';
import { ScheduleEditor } from '../schedule-editor.js';

const T0 = Date.parse('2030-01-01T00:00:00.000Z');

function every(ms: number, extra: Partial<ScheduleInput> = {}): ScheduleInput {
  return { name: 'job', task: 'tasks.job', schedule: { kind: 'interval', everyMs: ms }, ...extra };
}

class LoopSpy {
  readonly calls: string[] = [];
  upsert(entry: ScheduleEntry): void {
    this.calls.push(`upsert ${entry.name} ${entry.enabled}`);
  }
  remove(name: string): void {
    this.calls.push(`remove ${name}`);
  }
}

async function refusal(promise: Promise<unknown>): Promise<Error> {
  const error = await promise.then(() => null, (e: unknown) => e);
  expect(error).to.be.instanceOf(InvalidArgumentError);
  return error as Error;
}

describe('ScheduleEditor', () => {
  let now: number;
  let store: MemoryScheduleStore;
  let loop: LoopSpy;
  let editor: ScheduleEditor;
  beforeEach(() => {
    now = T0;
    store = new MemoryScheduleStore({ clock: () => new Date(now) });
    loop = new LoopSpy();
    editor = new ScheduleEditor(store, loop, () => now);
  });

  it('applies every command to the store and then the loop', async () => {
    expect(await editor.apply({ op: 'add', schedule: every(1000) })).to.have.nested.property('entry.name', 'job');
    expect(await editor.apply({ op: 'disable', name: 'job' })).to.have.nested.property('entry.enabled', false);
    expect(await editor.apply({ op: 'enable', name: 'job' })).to.have.nested.property('entry.enabled', true);
    expect(await editor.apply({ op: 'update', schedule: every(2000) })).to.have.nested.property('entry.schedule.everyMs', 2000);
    expect(await editor.apply({ op: 'list' })).to.have.property('entries').with.length(1);
    expect(await editor.apply({ op: 'remove', name: 'job' })).to.deep.equal({ op: 'remove', removed: true });
    expect(await editor.apply({ op: 'remove', name: 'job' })).to.deep.equal({ op: 'remove', removed: false });
    expect(loop.calls).to.deep.equal(['upsert job true', 'upsert job false', 'upsert job true', 'upsert job true', 'remove job', 'remove job']);
  });

  it('refuses to add a name that exists, or to change one that does not', async () => {
    await editor.add(every(1000));
    expect((await refusal(editor.add(every(1000)))).message).to.match(/already exists/);
    expect((await refusal(editor.update(every(1000, { name: 'other' })))).message).to.match(/no schedule named "other"/);
    expect((await refusal(editor.setEnabled('other', true))).message).to.match(/no schedule named "other"/);
  });

  it('refuses invalid input before touching the store', async () => {
    await refusal(editor.add(every(1000, { schedule: { kind: 'cron', expression: '99 * * * *' } })));
    expect(await store.list()).to.deep.equal([]);
    expect(loop.calls).to.deep.equal([]);
  });

  it('keeps an interval\'s anchor and state when the same input is merged again later', async () => {
    const first = await editor.merge(every(1000));
    await store.recordFire('job', new Date(T0 + 3000));
    now = T0 + 5500;
    const again = await editor.merge(every(1000));
    expect(again.schedule).to.deep.equal(first.schedule);
    expect(again.updatedAt).to.equal(first.updatedAt); // nothing changed: nothing written
    const changed = await editor.merge(every(1000, { args: [1] }));
    expect(changed).to.include({ runCount: 1, lastSlot: new Date(T0 + 3000).toISOString() });
    expect(changed.schedule).to.deep.equal(first.schedule);
  });

  it('keeps a runtime disable across merges unless the input says enabled', async () => {
    await editor.merge(every(1000));
    await editor.setEnabled('job', false);
    expect((await editor.merge(every(1000))).enabled).to.equal(false);
    expect((await editor.merge(every(1000, { enabled: true }))).enabled).to.equal(true);
  });
});
