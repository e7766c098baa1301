import { expect } from 'chai';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  FileScheduleStore,
  InvalidArgumentError,
  MemoryScheduleStore,
  type PlannedEntry,
  type ScheduleEntry,
  type ScheduleInput,
} from '@celeriac/core';
import { ScheduleEditor, sameJson } from '../schedule-editor.js';
import { compileStatic } from '../static-schedule.js';

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
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
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
    expect(await editor.apply({ op: 'update', schedule: every(2000) })).to.have.nested.property(
      'entry.schedule.everyMs',
      2000,
    );
    expect(await editor.apply({ op: 'list' }))
      .to.have.property('entries')
      .with.length(1);
    expect(await editor.apply({ op: 'remove', name: 'job' })).to.deep.equal({ op: 'remove', removed: true });
    expect(await editor.apply({ op: 'remove', name: 'job' })).to.deep.equal({ op: 'remove', removed: false });
    expect(loop.calls).to.deep.equal([
      'upsert job true',
      'upsert job false',
      'upsert job true',
      'upsert job true',
      'remove job',
      'remove job',
    ]);
  });

  it('refuses to add a name that exists, or to change one that does not', async () => {
    await editor.add(every(1000));
    expect((await refusal(editor.add(every(1000)))).message).to.match(/already exists/);
    expect((await refusal(editor.update(every(1000, { name: 'other' })))).message).to.match(
      /no schedule named "other"/,
    );
    expect((await refusal(editor.setEnabled('other', true))).message).to.match(/no schedule named "other"/);
  });

  it('refuses invalid input before touching the store', async () => {
    await refusal(editor.add(every(1000, { schedule: { kind: 'cron', expression: '99 * * * *' } })));
    expect(await store.list()).to.deep.equal([]);
    expect(loop.calls).to.deep.equal([]);
  });

  const merged = async (input: ScheduleInput) => {
    await editor.mergeAll([input]);
    return (await store.get(input.name)) as ScheduleEntry;
  };

  it("keeps an interval's anchor and state when the same input is merged again later", async () => {
    const first = await merged(every(1000));
    await store.recordFire('job', new Date(T0 + 3000));
    now = T0 + 5500;
    expect(await editor.mergeAll([every(1000)])).to.equal(0); // nothing changed: nothing written
    const again = (await store.get('job')) as ScheduleEntry;
    expect(again.schedule).to.deep.equal(first.schedule);
    expect(again.updatedAt).to.equal(first.updatedAt);
    const changed = await merged(every(1000, { args: [1] }));
    expect(changed).to.include({ runCount: 1, lastSlot: new Date(T0 + 3000).toISOString() });
    expect(changed.schedule).to.deep.equal(first.schedule);
  });

  it('keeps a runtime disable across merges unless the input says enabled', async () => {
    await merged(every(1000));
    await editor.setEnabled('job', false);
    expect((await merged(every(1000))).enabled).to.equal(false);
    expect((await merged(every(1000, { enabled: true }))).enabled).to.equal(true);
  });

  it('merges schedules compiled earlier (as a Beat compiles them when built) as it merges inputs', async () => {
    const first = await merged(every(1000));
    await editor.setEnabled('job', false);
    now = T0 + 5500;
    const compiled = compileStatic(every(1000, { args: [1] }), new Date(now));
    expect(compiled).to.include({ keepsEnabled: true, keepsAnchor: true });
    expect(await editor.mergeStatic([compiled])).to.equal(1);
    const again = (await store.get('job')) as ScheduleEntry;
    expect(again).to.deep.include({ enabled: false, args: [1], schedule: first.schedule });
    const explicit = compileStatic(
      every(1000, {
        enabled: true,
        schedule: { kind: 'interval', everyMs: 1000, anchor: new Date(now).toISOString() },
      }),
      new Date(now),
    );
    expect(explicit).to.include({ keepsEnabled: false, keepsAnchor: false });
    await editor.mergeStatic([explicit]);
    expect(await store.get('job')).to.deep.include({ enabled: true, schedule: explicit.definition.schedule });
  });

  it('validates the whole list before writing any of it', async () => {
    const list = [every(1000), every(1000, { name: 'bad', schedule: { kind: 'cron', expression: '99 * * * *' } })];
    await refusal(editor.mergeAll(list));
    expect(await store.list()).to.deep.equal([]);
    expect(loop.calls).to.deep.equal([]);
  });
});

describe('sameJson (how a merge tells an unchanged schedule)', () => {
  it('compares as JSON values: key order does not count, a key holding undefined is absent', () => {
    expect(sameJson({ a: 1, b: { c: [1, 'x'] } }, { b: { c: [1, 'x'] }, a: 1 })).to.equal(true);
    expect(sameJson({ queue: 'q', priority: undefined }, { queue: 'q' })).to.equal(true);
    expect(sameJson([undefined, 1], [null, 1])).to.equal(true);
    // eslint-disable-next-line no-sparse-arrays -- a hole is null in JSON
    expect(sameJson([, 1], [5, 1])).to.equal(false);
    expect(sameJson('1', 1)).to.equal(false);
    expect(sameJson({ a: 1 }, { a: 1, b: 2 })).to.equal(false);
    expect(sameJson({ a: [1, 2] }, { a: [2, 1] })).to.equal(false);
    expect(sameJson({ a: null }, {})).to.equal(false);
    expect(sameJson([], {})).to.equal(false);
    expect(sameJson({ 0: 'x', length: 1 }, ['x'])).to.equal(false);
  });

  it('finds nothing to write for a stored schedule whose parts were read back in another key order', async () => {
    const store = new MemoryScheduleStore();
    const input = every(1000, { args: [{ x: 1, y: [2] }], options: { queue: 'q', priority: 3 } });
    await new ScheduleEditor(store, null).mergeAll([input]);
    const stored = (await store.get('job')) as ScheduleEntry;
    const reordered: ScheduleEntry = {
      ...stored,
      args: [{ y: [2], x: 1 }],
      options: { priority: 3, queue: 'q' },
    };
    const readBack = new (class extends MemoryScheduleStore {
      override async list(): Promise<ScheduleEntry[]> {
        return [reordered];
      }
    })();
    expect(await new ScheduleEditor(readBack, null).mergeAll([{ ...input, schedule: stored.schedule }])).to.equal(0);
    expect(await new ScheduleEditor(readBack, null).mergeAll([{ ...input, args: [{ x: 2, y: [2] }] }])).to.equal(1);
  });
});

describe('ScheduleEditor.mergeAll on the file store', () => {
  const many = (count: number, everyMs = 5000) =>
    Array.from({ length: count }, (_, i) => every(everyMs, { name: `site-${i}`, args: [i] }));
  let directory = '';
  beforeEach(async () => {
    directory = await mkdtemp(join(tmpdir(), 'celeriac-merge-'));
  });
  afterEach(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  // The defect: one read and one whole-file write per schedule made `celeriac beat --schedule`
  // with 2,000 entries lead after 26 s, and with 5,000 not at all within 90 s.
  it('merges 5,000 static schedules with one write, and a restart with none', async () => {
    const path = join(directory, 'schedule.json');
    const first = new FileScheduleStore(path);
    expect(await new ScheduleEditor(first, null).mergeAll(many(5000))).to.equal(5000);
    expect(first.counters.writes).to.equal(1);
    expect(await first.list()).to.have.length(5000);
    expect(first.counters.parses).to.equal(0); // its own write is kept, not read back

    const restarted = new FileScheduleStore(path);
    expect(await new ScheduleEditor(restarted, null).mergeAll(many(5000))).to.equal(0);
    expect(restarted.counters).to.deep.equal({ parses: 1, writes: 0, appends: 0, foldFailures: 0 });

    const edited = new FileScheduleStore(path);
    expect(await new ScheduleEditor(edited, null).mergeAll(many(5000, 7000))).to.equal(5000);
    expect(edited.counters).to.deep.equal({ parses: 1, writes: 1, appends: 0, foldFailures: 0 });
  });

  // A beat leads from this listing while the file is written (start-merge.ts); upserting the
  // merged entries into its loop afterwards would replace entries whose fires are in flight.
  it('hands out the listing of a merge before its write, and then gives the loop no entry of it', async () => {
    const path = join(directory, 'schedule.json');
    const store = new FileScheduleStore(path);
    const spy = new LoopSpy();
    const seen: Array<{ names: string[]; fileExists: boolean }> = [];
    const schedules = many(3).map((input) => compileStatic(input, new Date(T0)));
    const applied = (listing: PlannedEntry[]) =>
      seen.push({ names: listing.map((planned) => planned.entry().name), fileExists: existsSync(path) });
    expect(await new ScheduleEditor(store, spy).mergeStatic(schedules, { applied })).to.equal(3);
    expect(seen).to.deep.equal([{ names: ['site-0', 'site-1', 'site-2'], fileExists: false }]);
    expect(spy.calls).to.deep.equal([]);
    expect((await new FileScheduleStore(path).list()).map((entry) => entry.name)).to.have.members([
      'site-0',
      'site-1',
      'site-2',
    ]);

    // Nothing changed: nothing written, no listing.
    expect(await new ScheduleEditor(store, spy).mergeStatic(schedules, { applied })).to.equal(0);
    expect(seen).to.have.length(1);
  });
});
