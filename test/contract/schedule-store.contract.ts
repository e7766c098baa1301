/**
 * The behaviour every ScheduleStore must have, as mocha cases: run it once per store (memory,
 * file, and MongoDB in @celeriac/mongodb). Stores are made fresh per case by `makeStore`; when the
 * store is shared state (a file, a database), `reopen` gives a second instance on the same data,
 * which enables the cases about other instances and durability.
 */
import { expect } from 'chai';
import {
  compileScheduleInput,
  firstDueMs,
  type ScheduleDefinition,
  type ScheduleInput,
  type ScheduleStore,
} from '@celeriac/core';

export interface ContractOptions {
  /** Report every case as pending, with this reason in the suite's title (the store is unavailable). */
  pending?: string;
  /** A second, independent instance on the same data as `store`. */
  reopen?: (store: ScheduleStore) => Promise<ScheduleStore>;
  /** The store has the optional `putMany`: its case runs (it is not registered for the others). */
  putMany?: boolean;
  /** The store has the optional `staticDigest` (and putMany records it): its cases run. */
  staticDigest?: boolean;
  /** The store has the optional `listPlanned`: its case runs on a reopened instance. */
  listPlanned?: boolean;
}

const CASES = [
  'starts empty',
  'put creates an entry with empty state and timestamps',
  'put replaces the definition but keeps lastSlot, runCount and createdAt',
  'changing a returned entry changes nothing stored (entries are frozen or copies)',
  'remove deletes a schedule and says whether there was one',
  'setEnabled switches a schedule and returns it, or null for an unknown name',
  'recordFire only advances: a later slot counts, the same or an earlier one does not',
  'recordFire on a once schedule disables it',
  'two recordFire calls racing for the same slot: exactly one wins',
  'concurrent recordFire and put for different schedules all persist',
  'putMany (where a store has it) puts like put: new entries, and replaced ones keep their state',
  'many fires recorded together each get their own answer',
  'staticDigest (where a store has it): putMany records it; any edit but a fire marks it, and a merge after another edit records none',
] as const;

const SHARED_CASES = [
  'a second instance sees the first one’s writes and its fired slots',
  'two instances racing for the same slot: exactly one wins',
  'writes are durable: a reopened store has them after close',
  'schedules named like members of every object (constructor, __proto__, toString) are schedules like any other',
  'staticDigest (where a store has it) is durable, and an edit through another instance marks it',
  'listPlanned (where a store has it) names every schedule with a next no later than its first due time, and its entry as get() has it',
  'schedules read back share their common parts (equal options, empty args and kwargs, a cron spec): one frozen object each, not a copy per schedule',
] as const;

function definition(name: string, overrides: Partial<ScheduleInput> = {}): ScheduleDefinition {
  const input: ScheduleInput = {
    name,
    task: 'contract.task',
    schedule: { kind: 'cron', expression: '*/5 * * * *', timezone: 'Europe/Berlin' },
    args: [1, 'two'],
    kwargs: { k: true },
    options: { queue: 'q' },
    ...overrides,
  };
  return compileScheduleInput(input, new Date('2024-01-01T00:00:00Z'));
}

const slot = (minute: number) => new Date(Date.UTC(2024, 0, 1, 0, minute));

export function scheduleStoreContract(
  name: string,
  makeStore: () => Promise<ScheduleStore>,
  options: ContractOptions = {},
): void {
  if (options.pending !== undefined) {
    describe(`ScheduleStore contract: ${name} (pending: ${options.pending})`, () => {
      for (const title of [...CASES, ...SHARED_CASES]) it(title);
    });
    return;
  }
  describe(`ScheduleStore contract: ${name}`, () => {
    const opened: ScheduleStore[] = [];
    let store: ScheduleStore;
    const open = async (make: () => Promise<ScheduleStore>) => {
      const made = await make();
      opened.push(made);
      return made;
    };

    beforeEach(async () => {
      store = await open(makeStore);
    });

    afterEach(async () => {
      await Promise.all(opened.splice(0).map((each) => each.close()));
    });

    defineCases(() => store, options);
    const reopen = options.reopen;
    if (reopen)
      defineSharedCases(
        () => store,
        (from) => open(() => reopen(from)),
        options,
      );
  });
}

function defineCases(current: () => ScheduleStore, options: ContractOptions): void {
  it(CASES[0], async () => {
    expect(await current().list()).to.deep.equal([]);
    expect(await current().get('nothing')).to.equal(null);
  });

  it(CASES[1], async () => {
    const entry = await current().put(definition('a'));
    expect(entry).to.deep.include({ ...definition('a'), lastSlot: null, runCount: 0 });
    expect(Date.parse(entry.createdAt)).to.not.be.NaN;
    expect(entry.updatedAt).to.equal(entry.createdAt);
    expect(await current().get('a')).to.deep.equal(entry);
    expect(await current().list()).to.deep.equal([entry]);
  });

  it(CASES[2], async () => {
    const first = await current().put(definition('a'));
    expect(await current().recordFire('a', slot(5))).to.equal(true);
    const replaced = await current().put(
      definition('a', {
        task: 'contract.other',
        schedule: { kind: 'interval', everyMs: 60_000, anchor: '2024-01-01T00:00:00Z' },
      }),
    );
    expect(replaced).to.deep.include({
      task: 'contract.other',
      lastSlot: slot(5).toISOString(),
      runCount: 1,
      createdAt: first.createdAt,
    });
    expect(replaced.schedule).to.deep.equal({ kind: 'interval', everyMs: 60_000, anchor: '2024-01-01T00:00:00.000Z' });
    expect(await current().get('a')).to.deep.equal(replaced);
  });

  it(CASES[3], async () => {
    const entry = await current().put(definition('a'));
    // Frozen entries throw on change (strict mode), copies take it: either way the store is unchanged.
    attempt(() => entry.args.push('mutated'));
    attempt(() => (entry.kwargs.extra = 1));
    const listed = await current().list();
    attempt(() => (listed[0]!.task = 'mutated'));
    const stored = await current().get('a');
    expect(stored?.args).to.deep.equal([1, 'two']);
    expect(stored?.kwargs).to.deep.equal({ k: true });
    expect(stored?.task).to.equal('contract.task');
  });

  it(CASES[4], async () => {
    await current().put(definition('a'));
    await current().put(definition('b'));
    expect(await current().remove('a')).to.equal(true);
    expect(await current().remove('a')).to.equal(false);
    expect(await current().get('a')).to.equal(null);
    expect((await current().list()).map((entry) => entry.name)).to.deep.equal(['b']);
  });

  it(CASES[5], async () => {
    await current().put(definition('a'));
    expect(await current().setEnabled('a', false)).to.deep.include({ name: 'a', enabled: false });
    expect((await current().get('a'))?.enabled).to.equal(false);
    expect((await current().setEnabled('a', true))?.enabled).to.equal(true);
    expect(await current().setEnabled('missing', true)).to.equal(null);
  });

  it(CASES[6], async () => {
    await current().put(definition('a'));
    expect(await current().recordFire('a', slot(10))).to.equal(true);
    expect(await current().recordFire('a', slot(10))).to.equal(false);
    expect(await current().recordFire('a', slot(5))).to.equal(false);
    expect(await current().recordFire('a', slot(15))).to.equal(true);
    expect(await current().get('a')).to.deep.include({ lastSlot: slot(15).toISOString(), runCount: 2 });
    expect(await current().recordFire('missing', slot(20))).to.equal(false);
  });

  it(CASES[7], async () => {
    await current().put(definition('one-off', { schedule: { kind: 'once', at: slot(30) } }));
    expect(await current().recordFire('one-off', slot(30))).to.equal(true);
    expect(await current().get('one-off')).to.deep.include({
      enabled: false,
      lastSlot: slot(30).toISOString(),
      runCount: 1,
    });
  });

  it(CASES[8], async () => {
    await current().put(definition('a'));
    const results = await Promise.all([current().recordFire('a', slot(5)), current().recordFire('a', slot(5))]);
    expect(results.filter(Boolean)).to.have.length(1);
    expect(await current().get('a')).to.deep.include({ lastSlot: slot(5).toISOString(), runCount: 1 });
  });

  it(CASES[9], async () => {
    await Promise.all(['a', 'b', 'c'].map((name) => current().put(definition(name))));
    const fired = await Promise.all([
      current().recordFire('a', slot(5)),
      current().recordFire('b', slot(10)),
      current().put(definition('d')),
      current().recordFire('c', slot(15)),
    ]);
    expect(fired).to.deep.equal([true, true, fired[2], true]);
    const byName = Object.fromEntries((await current().list()).map((entry) => [entry.name, entry.lastSlot]));
    expect(byName).to.deep.equal({
      a: slot(5).toISOString(),
      b: slot(10).toISOString(),
      c: slot(15).toISOString(),
      d: null,
    });
  });

  if (options.putMany)
    it(CASES[10], async () => {
      const store = current();
      if (!store.putMany) throw new Error('the store was said to have putMany');
      await store.put(definition('a'));
      expect(await store.recordFire('a', slot(5))).to.equal(true);
      const entries = await store.putMany([definition('a', { task: 'contract.other' }), definition('b')]);
      expect(entries.map((entry) => [entry.name, entry.task, entry.lastSlot, entry.runCount])).to.have.deep.members([
        ['a', 'contract.other', slot(5).toISOString(), 1],
        ['b', 'contract.task', null, 0],
      ]);
      expect(await store.get('b')).to.deep.equal(entries.find((entry) => entry.name === 'b'));
    });

  it(CASES[11], async () => {
    const names = Array.from({ length: 50 }, (_, i) => `n${i}`);
    await Promise.all(names.map((name) => current().put(definition(name))));
    await current().recordFire('n0', slot(10));
    const answers = await Promise.all([
      ...names.map((name) => current().recordFire(name, slot(5))),
      current().recordFire('unknown', slot(5)),
      current().recordFire('n1', slot(5)),
    ]);
    expect(answers).to.deep.equal([false, ...names.slice(1).map(() => true), false, false]);
    expect(await current().get('n1')).to.deep.include({ lastSlot: slot(5).toISOString(), runCount: 1 });
    expect(await current().get('n0')).to.deep.include({ lastSlot: slot(10).toISOString(), runCount: 1 });
  });

  if (options.staticDigest) it(CASES[12], async () => digestCase(digestStore(current())));
}

/** A store said to have staticDigest, with both optional methods present. */
function digestStore(store: ScheduleStore): Required<ScheduleStore> {
  if (!store.putMany || !store.staticDigest) throw new Error('the store was said to have staticDigest');
  return store as Required<ScheduleStore>;
}

async function digestCase(store: Required<ScheduleStore>): Promise<void> {
  expect(await store.staticDigest()).to.equal(null);
  await store.putMany([definition('a'), definition('b')], { digest: 'd1', ifCurrent: null });
  expect(await store.recordFire('a', slot(5))).to.equal(true);
  expect(await store.recordFire('a', slot(5))).to.equal(false);
  expect(await store.staticDigest(), 'a fire, recorded or refused, keeps it').to.equal('d1');
  const edits: Array<[string, () => Promise<unknown>]> = [
    ['put', () => store.put(definition('c'))],
    ['setEnabled', () => store.setEnabled('a', false)],
    ['remove', () => store.remove('b')],
    ['putMany without a merge', () => store.putMany([definition('d')])],
    ['a one-off disabled by its fire', () => store.recordFire('once', slot(30))],
  ];
  await store.put(definition('once', { schedule: { kind: 'once', at: slot(30) } }));
  for (const [what, edit] of edits) {
    await store.putMany([], { digest: `before ${what}`, ifCurrent: await store.staticDigest() });
    expect(await store.staticDigest()).to.equal(`before ${what}`);
    await edit();
    expect(await store.staticDigest(), what).to.match(/^edit:/);
  }
  // Another beat's edit between the read and the merge: the merge is written, its digest is not.
  const read = await store.staticDigest();
  await store.put(definition('e'));
  const marked = await store.staticDigest();
  await store.putMany([definition('f')], { digest: 'd2', ifCurrent: read });
  expect(marked)
    .to.match(/^edit:/)
    .and.not.equal(read);
  expect(await store.staticDigest()).to.match(/^edit:/);
  expect(await store.get('f')).to.include({ name: 'f' });
}

function defineSharedCases(
  current: () => ScheduleStore,
  reopen: (store: ScheduleStore) => Promise<ScheduleStore>,
  options: ContractOptions,
): void {
  it(SHARED_CASES[0], async () => {
    const other = await reopen(current());
    await current().put(definition('a'));
    expect((await other.get('a'))?.task).to.equal('contract.task');
    expect(await other.recordFire('a', slot(5))).to.equal(true);
    expect(await current().recordFire('a', slot(5))).to.equal(false);
    await other.put(definition('b'));
    expect((await current().list()).map((entry) => entry.name).sort()).to.deep.equal(['a', 'b']);
  });

  it(SHARED_CASES[1], async () => {
    const other = await reopen(current());
    await current().put(definition('a'));
    const results = await Promise.all([
      current().recordFire('a', slot(5)),
      other.recordFire('a', slot(5)),
      current().recordFire('a', slot(5)),
      other.recordFire('a', slot(5)),
    ]);
    expect(results.filter(Boolean)).to.have.length(1);
    expect(await other.get('a')).to.deep.include({ runCount: 1 });
  });

  it(SHARED_CASES[2], async () => {
    await current().put(definition('a'));
    await current().recordFire('a', slot(5));
    await current().setEnabled('a', false);
    const expected = await current().get('a');
    await current().close();
    const reopened = await reopen(current());
    expect(await reopened.get('a')).to.deep.equal(expected);
  });

  it(SHARED_CASES[3], async () => {
    const names = ['constructor', '__proto__', 'toString', 'hasOwnProperty'];
    expect(await Promise.all(names.map((name) => current().get(name)))).to.deep.equal(names.map(() => null));
    expect(await current().setEnabled('constructor', false)).to.equal(null);
    expect(await current().recordFire('toString', slot(5))).to.equal(false);
    for (const name of names) expect((await current().put(definition(name))).runCount).to.equal(0);
    expect(await current().recordFire('__proto__', slot(5))).to.equal(true);
    expect(await current().remove('hasOwnProperty')).to.equal(true);
    const expected = (await current().list()).sort((a, b) => a.name.localeCompare(b.name));
    expect(expected.map((entry) => entry.name)).to.deep.equal(['__proto__', 'constructor', 'toString']);
    await current().close();
    const reopened = await reopen(current());
    expect(await reopened.get('__proto__')).to.deep.include({ runCount: 1, lastSlot: slot(5).toISOString() });
    expect((await reopened.list()).sort((a, b) => a.name.localeCompare(b.name))).to.deep.equal(expected);
  });

  if (options.staticDigest)
    it(SHARED_CASES[4], async () => {
      const store = digestStore(current());
      await store.putMany([definition('a')], { digest: 'd1', ifCurrent: null });
      await store.recordFire('a', slot(5)); // journalled: the digest stays with it
      await store.close();
      const reopened = digestStore(await reopen(store));
      expect(await reopened.staticDigest()).to.equal('d1');
      const other = digestStore(await reopen(store));
      await other.setEnabled('a', false);
      expect(await reopened.staticDigest()).to.match(/^edit:/);
    });

  if (options.listPlanned) it(SHARED_CASES[5], async () => listPlannedCase(current(), () => reopen(current())));

  // 100,000 schedules read back at a restart each held their own copies (the MongoDB store's did).
  it(SHARED_CASES[6], async () => {
    const common: Partial<ScheduleInput> = {
      args: [],
      kwargs: {},
      schedule: { kind: 'cron', expression: '0 * * * *', timezone: 'UTC' },
    };
    for (const name of ['a', 'b']) await current().put(definition(name, common));
    const [a, b] = (await (await reopen(current())).list()).sort((x, y) => x.name.localeCompare(y.name));
    expect([a?.name, b?.name]).to.deep.equal(['a', 'b']);
    for (const part of ['args', 'kwargs', 'options', 'schedule'] as const) {
      expect(a?.[part], part).to.equal(b?.[part]);
      expect(Object.isFrozen(a?.[part]), part).to.equal(true);
    }
  });
}

async function listPlannedCase(store: ScheduleStore, reopen: () => Promise<ScheduleStore>): Promise<void> {
  await store.put(definition('a'));
  await store.put(definition('off', { enabled: false }));
  await store.put(definition('fired'));
  await store.recordFire('fired', slot(5));
  await store.close();
  // A slot before 'a' was created, recorded by another instance: 'a' is next due right after it.
  expect(await (await reopen()).recordFire('a', slot(5))).to.equal(true);
  const reopened = await reopen();
  if (!reopened.listPlanned) throw new Error('the store has no listPlanned');
  const planned = await reopened.listPlanned();
  expect(planned.map((item) => item.name).sort()).to.deep.equal(['a', 'fired', 'off']);
  for (const item of planned) {
    const entry = item.entry();
    expect(entry, item.name).to.deep.equal(await reopened.get(item.name));
    const due = firstDueMs(entry);
    if (due === null) expect(item.next, item.name).to.equal(null);
    else expect(item.next, item.name).to.be.a('number').and.at.most(due);
  }
  expect(planned.find((item) => item.name === 'a')?.entry()).to.deep.include({
    runCount: 1,
    lastSlot: slot(5).toISOString(),
  });
}

/** Runs a change that a frozen entry refuses with a TypeError; any other error is a failure. */
function attempt(change: () => unknown): void {
  try {
    change();
  } catch (error) {
    if (!(error instanceof TypeError)) throw error;
  }
}
