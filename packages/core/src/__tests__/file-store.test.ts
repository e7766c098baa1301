import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  compileScheduleInput,
  ConfigurationError,
  FileScheduleStore,
  MemoryScheduleStore,
  openScheduleStore,
} from '../index.js';
import { readStoreLines } from './store-file-lines.js';

const definition = (name: string) =>
  compileScheduleInput({
    name,
    task: 'file.task',
    schedule: { kind: 'interval', everyMs: 60_000, anchor: '2024-01-01T00:00:00Z' },
  });

const header = (count: number) => `{"version":2,"planner":"p","count":${count}}\n`;

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a rejection');
}

describe('FileScheduleStore (file format and failure modes)', () => {
  let directory = '';
  let path = '';

  beforeEach(async () => {
    directory = await mkdtemp(join(tmpdir(), 'celeriac-file-store-'));
    path = join(directory, 'schedule.json');
  });

  afterEach(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  it('reads a missing file as an empty store without creating it', async () => {
    expect(await new FileScheduleStore(path).list()).to.deep.equal([]);
    expect(await readdir(directory)).to.deep.equal([]);
  });

  it('writes a version 2 header, then [next, name, entry] per schedule, and after close leaves no journal, temp or lock file', async () => {
    const store = new FileScheduleStore(path);
    const entry = await store.put(definition('a'));
    await store.recordFire('a', new Date('2024-01-01T00:01:00Z'));
    await store.close();
    const { header, lines } = await readStoreLines(path);
    expect(header).to.include({ version: 2 });
    expect(header.planner).to.be.a('string');
    expect(lines).to.have.length(1);
    const [next, name, written] = lines[0] ?? [];
    // The first slot after the one fired: what a restarted beat plans it at without parsing it.
    expect([next, name]).to.deep.equal([Date.parse('2024-01-01T00:02:00Z'), 'a']);
    expect(written).to.deep.include({ createdAt: entry.createdAt, lastSlot: '2024-01-01T00:01:00.000Z', runCount: 1 });
    expect(await readdir(directory)).to.deep.equal(['schedule.json']);
  });

  it('creates missing parent directories on the first write', async () => {
    const nested = new FileScheduleStore(join(directory, 'a', 'b', 'schedule.json'));
    await nested.put(definition('a'));
    expect(await new FileScheduleStore(join(directory, 'a', 'b', 'schedule.json')).get('a')).to.not.equal(null);
  });

  for (const [what, text, reason] of [
    ['invalid JSON', '{"version": 1, "sched', 'not valid JSON'],
    ['an unknown version', '{"version": 3}\n', 'unsupported version 3 (expected 1 or 2)'],
    ['a version 1 file of another version', '{"version": 7,\n"schedules": {}}', 'unsupported version 7'],
    ['a line that is not a schedule', `${header(2)}[1,"a",{}]\nnot a schedule\n`, 'line 3 is not a schedule'],
    ['a name with escapes JSON has not', `${header(1)}[1,"a\\x",{}]\n`, 'line 2 is not a schedule'],
    ['a schedule twice', `${header(2)}[1,"a",{}]\n[1,"a",{}]\n`, "schedule 'a' appears twice (line 3)"],
    ['a last line cut short', `${header(1)}[1,"a",{"name":"a","ta`, 'its last line is cut short'],
    [
      'fewer lines than its header counts (cut short)',
      `${header(3)}[1,"a",{}]\n`,
      'the header counts 3 schedules, the file has 1',
    ],
    [
      'a version 2 header holding schedules',
      '{"version":2,"schedules":{"a":{}}}',
      "the header has an unknown key 'schedules'",
    ],
    ['a version 2 header without its planner', '{"version":2,"count":0}\n', "the header's 'planner' is not a string"],
    [
      'an entry under the wrong name',
      '{"version": 1, "schedules": {"a": {"name": "b"}}}',
      "schedule 'a' is not a valid entry",
    ],
  ] as const) {
    it(`fails clearly on a file with ${what}, and never resets it`, async () => {
      await writeFile(path, text);
      const store = new FileScheduleStore(path);
      for (const attempt of [store.list(), store.put(definition('x')), store.recordFire('a', new Date())]) {
        const error = await rejection(attempt);
        expect(error).to.be.instanceOf(ConfigurationError);
        expect(error.message)
          .to.contain(`schedule store file '${path}' is corrupt: ${reason}`)
          .and.contain('never resets it');
      }
      expect(await readFile(path, 'utf8')).to.equal(text);
      expect(await readdir(directory)).to.deep.equal(['schedule.json']);
    });
  }

  it('takes over the lock of a process that died (e.g. SIGKILL mid-write)', async () => {
    const dead = spawnSync(process.execPath, ['-e', '']).pid;
    await writeFile(`${path}.lock`, JSON.stringify({ pid: dead, host: hostname() }));
    expect(await new FileScheduleStore(path).put(definition('a'))).to.include({ name: 'a' });
  });

  it('waits for a live lock, then gives up with a clear error', async () => {
    await writeFile(`${path}.lock`, JSON.stringify({ pid: process.pid, host: hostname() }));
    const error = await rejection(new FileScheduleStore(path, { lockTimeoutMs: 50 }).put(definition('a')));
    expect(error).to.be.instanceOf(ConfigurationError);
    expect(error.message).to.contain(`schedule store lock '${path}.lock' is held by another process`);
  });

  it('writes changes that arrive together once (group commit), each with its own answer', async () => {
    const store = new FileScheduleStore(path);
    await Promise.all(['a', 'b', 'c'].map((name) => store.put(definition(name))));
    expect(store.counters.writes).to.equal(1);
    const slot = new Date('2024-01-01T00:01:00Z');
    const answers = await Promise.all([
      store.recordFire('a', slot),
      store.recordFire('b', slot),
      store.recordFire('a', slot),
      store.recordFire('none', slot),
      store.setEnabled('c', false),
    ]);
    expect(answers.slice(0, 4)).to.deep.equal([true, true, false, false]);
    expect(answers[4]).to.include({ name: 'c', enabled: false });
    expect(store.counters.writes).to.equal(2);
    const written = new Map(
      (await readStoreLines(path)).lines.map(([, name, entry]) => [
        name,
        entry as { runCount: number; enabled: boolean },
      ]),
    );
    expect([written.get('a')?.runCount, written.get('b')?.runCount, written.get('c')?.enabled]).to.deep.equal([
      1,
      1,
      false,
    ]);
  });

  it('records fires in a journal instead of rewriting the file, and another instance reads them', async () => {
    const store = new FileScheduleStore(path);
    await store.put(definition('a'));
    await store.recordFire('a', new Date('2024-01-01T00:01:00Z'));
    await store.recordFire('a', new Date('2024-01-01T00:02:00Z'));
    expect(store.counters).to.include({ writes: 1, appends: 2 });
    expect((await readdir(directory)).sort()).to.deep.equal(['schedule.json', 'schedule.json.journal']);
    const other = new FileScheduleStore(path);
    expect(await other.get('a')).to.include({ lastSlot: '2024-01-01T00:02:00.000Z', runCount: 2 });
    expect(await other.recordFire('a', new Date('2024-01-01T00:02:00Z'))).to.equal(false);
    expect(await other.recordFire('a', new Date('2024-01-01T00:03:00Z'))).to.equal(true);
    expect(await store.get('a')).to.include({ lastSlot: '2024-01-01T00:03:00.000Z', runCount: 3 });
  });

  it('replays a journal already folded into the file without counting its fires twice', async () => {
    const store = new FileScheduleStore(path);
    await store.put(definition('a'));
    await store.recordFire('a', new Date('2024-01-01T00:01:00Z'));
    const journal = await readFile(`${path}.journal`);
    await store.close(); // folds the journal in and removes it
    await writeFile(`${path}.journal`, journal); // as if a crash came before the removal
    expect(await new FileScheduleStore(path).get('a')).to.include({
      lastSlot: '2024-01-01T00:01:00.000Z',
      runCount: 1,
    });
  });

  it('ignores a torn last journal line (a crash mid-append) and cuts it before the next append', async () => {
    const store = new FileScheduleStore(path);
    await store.put(definition('a'));
    await store.recordFire('a', new Date('2024-01-01T00:01:00Z'));
    await writeFile(`${path}.journal`, '["a","2024-01-01T00:0', { flag: 'a' });
    const other = new FileScheduleStore(path);
    expect(await other.get('a')).to.include({ runCount: 1 });
    expect(await other.recordFire('a', new Date('2024-01-01T00:02:00Z'))).to.equal(true);
    expect(await new FileScheduleStore(path).get('a')).to.include({
      lastSlot: '2024-01-01T00:02:00.000Z',
      runCount: 2,
    });
  });

  it('fails clearly on a corrupt journal line, and never resets it', async () => {
    const store = new FileScheduleStore(path);
    await store.put(definition('a'));
    await writeFile(`${path}.journal`, 'garbage\n');
    const error = await rejection(new FileScheduleStore(path).list());
    expect(error).to.be.instanceOf(ConfigurationError);
    expect(error.message).to.contain(`schedule store journal '${path}.journal' is corrupt`);
  });

  it("reads its own writes without parsing, and sees another process's write", async () => {
    const mine = new FileScheduleStore(path);
    const theirs = new FileScheduleStore(path);
    await mine.put(definition('a'));
    expect(await mine.list()).to.have.length(1);
    expect(mine.counters.parses).to.equal(0);
    await theirs.put(definition('b'));
    expect((await mine.list()).map((entry) => entry.name).sort()).to.deep.equal(['a', 'b']);
    expect(await mine.get('b')).to.include({ name: 'b' });
    expect(mine.counters.parses).to.equal(1);
  });

  it('shares the common parts of the entries it parses (empty args and kwargs, options, cron specs)', async () => {
    const cron = { kind: 'cron', expression: '0 7 * * *', timezone: 'Europe/Warsaw' } as const;
    const inputs = ['a', 'b'].map((name) =>
      compileScheduleInput({ name, task: 'file.task', schedule: cron, options: { queue: 'sites' } }),
    );
    const writer = new FileScheduleStore(path);
    await writer.putMany(inputs);
    await writer.put(
      compileScheduleInput({ name: 'c', task: 'file.task', schedule: cron, args: [1], kwargs: { k: 2 } }),
    );
    const [a, b, c] = (await new FileScheduleStore(path).list()).sort((x, y) => x.name.localeCompare(y.name));
    expect([a?.args, a?.kwargs, a?.options, a?.schedule]).to.deep.equal([[], {}, { queue: 'sites' }, cron]);
    for (const part of ['args', 'kwargs', 'options', 'schedule'] as const) expect(a?.[part], part).to.equal(b?.[part]);
    expect([c?.args, c?.kwargs]).to.deep.equal([[1], { k: 2 }]);
    expect(Object.isFrozen(a?.options) && Object.isFrozen(a?.schedule) && Object.isFrozen(a?.args)).to.equal(true);
  });

  it('journals a one-off’s fire, writing the whole file only to mark a merge’s digest', async () => {
    const once = (name: string) =>
      compileScheduleInput({ name, task: 'file.task', schedule: { kind: 'once', at: '2030-01-01T00:00:00Z' } });
    const store = new FileScheduleStore(path);
    await store.put(once('a')); // an edit: the digest is an edit mark
    const { writes } = store.counters;
    expect(await store.recordFire('a', new Date('2030-01-01T00:00:00Z'))).to.equal(true);
    expect([store.counters.writes, store.counters.appends]).to.deep.equal([writes, 1]);
    await store.putMany([once('b')], { digest: 'merged', ifCurrent: await store.staticDigest() });
    expect(await store.recordFire('b', new Date('2030-01-01T00:00:00Z'))).to.equal(true);
    expect(store.counters.writes).to.equal(writes + 2);
    expect(await store.staticDigest()).to.match(/^edit:/);
  });

  it('stamps createdAt and updatedAt with its clock', async () => {
    let now = new Date('2024-05-01T00:00:00Z');
    const store = new FileScheduleStore(path, { clock: () => now });
    await store.put(definition('a'));
    now = new Date('2024-05-02T00:00:00Z');
    expect(await store.setEnabled('a', false)).to.deep.include({
      createdAt: '2024-05-01T00:00:00.000Z',
      updatedAt: '2024-05-02T00:00:00.000Z',
    });
  });
});

describe('openScheduleStore', () => {
  let directory = '';

  before(async () => {
    directory = await mkdtemp(join(tmpdir(), 'celeriac-open-store-'));
  });

  after(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  it("opens 'memory:'", async () => {
    expect(await openScheduleStore('memory:')).to.be.instanceOf(MemoryScheduleStore);
  });

  it("opens 'file:<path>' and 'file:///absolute' URLs", async () => {
    const relative = await openScheduleStore('file:./celeriac-schedule.json');
    expect((relative as FileScheduleStore).path).to.equal(join(process.cwd(), 'celeriac-schedule.json'));
    const url = pathToFileURL(join(directory, 'schedule.json')).href;
    expect(((await openScheduleStore(url)) as FileScheduleStore).path).to.equal(join(directory, 'schedule.json'));
  });

  // In this workspace @celeriac/mongodb is installed; without it the loader's message says to
  // install it (packages/mongodb/src/__tests__/load-backend.test.ts). No server is contacted:
  // the store connects on its first operation.
  it("opens 'mongodb://' URLs through @celeriac/mongodb, loaded on demand", async () => {
    const store = await openScheduleStore('mongodb://user:secret@db.example:27017/celeriac');
    expect(store.constructor.name).to.equal('MongoScheduleStore');
    await store.close();
  });

  it('rejects other URLs and an empty path', async () => {
    expect((await rejection(openScheduleStore('redis://localhost'))).message).to.contain(
      "unsupported schedule store 'redis://localhost'",
    );
    expect((await rejection(openScheduleStore('file:'))).message).to.contain('expected a path');
  });
});
