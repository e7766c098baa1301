import { expect } from 'chai';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compileScheduleInput, ConfigurationError, FileScheduleStore, firstDueMs } from '../index.js';
import { readStoreLines } from './store-file-lines.js';

const interval = (name: string) =>
  compileScheduleInput({
    name,
    task: 'file.task',
    schedule: { kind: 'interval', everyMs: 60_000, anchor: '2024-01-01T00:00:00Z' },
  });

const CREATED = new Date('2024-01-01T00:00:30Z');

async function dueOf(store: FileScheduleStore, name: string): Promise<number | null> {
  const entry = await store.get(name);
  if (!entry) throw new Error(`no schedule '${name}'`);
  return firstDueMs(entry);
}

describe('FileScheduleStore (a line per schedule, read lazily)', () => {
  let directory = '';
  let path = '';

  beforeEach(async () => {
    directory = await mkdtemp(join(tmpdir(), 'celeriac-file-lines-'));
    path = join(directory, 'schedule.json');
  });

  afterEach(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  it('reads a version 1 file as earlier releases wrote it, and writes it as version 2 at the next write', async () => {
    const entry = { ...(await new FileScheduleStore(join(directory, 'other.json')).put(interval('a'))) };
    const fired = { ...entry, lastSlot: '2024-01-01T00:01:00.000Z', runCount: 1 };
    await writeFile(path, `{"version":1,"staticDigest":"d1","schedules":{\n"a":${JSON.stringify(fired)}\n}}\n`);
    const store = new FileScheduleStore(path);
    expect(await store.get('a')).to.deep.equal(fired);
    expect(await store.staticDigest()).to.equal('d1');
    await store.put(interval('b'));
    const { header, lines } = await readStoreLines(path);
    expect(header).to.include({ version: 2 });
    expect(lines.map(([next, name]) => [name, next])).to.deep.equal([
      ['a', Date.parse('2024-01-01T00:02:00Z')],
      ['b', await dueOf(store, 'b')],
    ]);
    expect(await new FileScheduleStore(path).get('a')).to.deep.equal(fired);
  });

  it('plans a restart from each line without parsing its entry: a corrupt entry shows only when it is read', async () => {
    const store = new FileScheduleStore(path, { clock: () => CREATED });
    await store.putMany([interval('good'), interval('bad')]);
    const text = await readFile(path, 'utf8');
    await writeFile(path, text.replace(/^(\[\d+,"bad",)\{.*\}\]$/m, '$1{"name":"bad"}]'));
    const planned = await new FileScheduleStore(path).listPlanned();
    expect(planned.map(({ name, next }) => [name, next])).to.deep.equal([
      ['good', Date.parse('2024-01-01T00:01:00Z')],
      ['bad', Date.parse('2024-01-01T00:01:00Z')],
    ]);
    expect(planned[0]?.entry()).to.include({ name: 'good', runCount: 0 });
    expect(() => planned[1]?.entry()).to.throw(ConfigurationError, "schedule 'bad' is not a valid entry");
    const listed = await new FileScheduleStore(path).list().catch((error: unknown) => error);
    expect(listed).to.be.instanceOf(ConfigurationError);
    expect((listed as Error).message).to.contain(`'${path}' is corrupt: schedule 'bad' is not a valid entry`);
  });

  it('folds a journal into the file without re-encoding the lines of entries it never read', async () => {
    await new FileScheduleStore(path, { clock: () => CREATED }).putMany(['a', 'b', 'c'].map(interval));
    // Spaces JSON allows but encodeLine never writes: they survive only if a line is copied as it came.
    await writeFile(path, (await readFile(path, 'utf8')).replace(/\{"name":/g, '{ "name":'));
    const before = (await readFile(path, 'utf8')).split('\n');
    const store = new FileScheduleStore(path);
    await store.recordFire('b', new Date('2024-01-01T00:01:00Z'));
    await store.close();
    const after = (await readFile(path, 'utf8')).split('\n');
    expect([after[1], after[3]]).to.deep.equal([before[1], before[3]]);
    expect(after[2]).to.match(/^\[1704067320000,"b",\{"name":"b",.*"runCount":1,/);
  });

  it('hands out a schedule as listed after it was removed from the store (as list() did)', async () => {
    await new FileScheduleStore(path, { clock: () => CREATED }).putMany(['a', 'b'].map(interval));
    const store = new FileScheduleStore(path);
    const planned = await store.listPlanned();
    await store.remove('a');
    await store.remove('b');
    expect(planned.map((item) => item.entry().name)).to.deep.equal(['a', 'b']);
    expect(await store.list()).to.deep.equal([]);
  });

  it('writes an entry whose due time cannot be computed (a date that does not parse) as due at once, and reads it back', async () => {
    const entry = { ...(await new FileScheduleStore(join(directory, 'other.json')).put(interval('x'))) };
    await writeFile(
      path,
      `{"version":1,"schedules":{\n"x":${JSON.stringify({ ...entry, createdAt: 'yesterday' })}\n}}\n`,
    );
    const store = new FileScheduleStore(path);
    expect((await store.listPlanned()).map(({ next }) => next)).to.deep.equal([0]);
    await store.put(interval('y'));
    const reopened = new FileScheduleStore(path);
    expect((await reopened.listPlanned()).map(({ name, next }) => [name, next])).to.deep.include(['x', 0]);
    expect(await reopened.get('x')).to.include({ createdAt: 'yesterday' });
  });

  it('fails clearly on a journalled fire whose slot is not a time', async () => {
    await new FileScheduleStore(path).put(interval('a'));
    await writeFile(`${path}.journal`, '["a","soon","2024-01-01T00:00:00.000Z"]\n');
    const error = await new FileScheduleStore(path).list().catch((failure: unknown) => failure);
    expect(error).to.be.instanceOf(ConfigurationError);
    expect((error as Error).message).to.contain('is not a fire record');
  });

  it('keeps the journalled fires of an entry not yet read and applies them when it is read', async () => {
    await new FileScheduleStore(path, { clock: () => CREATED }).put(interval('a'));
    const firing = new FileScheduleStore(path);
    for (const minute of [1, 2, 3]) await firing.recordFire('a', new Date(Date.UTC(2024, 0, 1, 0, minute)));
    const [planned] = await new FileScheduleStore(path).listPlanned();
    // The line's next (00:01) is older than the truth (00:04): a lower bound, as promised.
    expect(planned?.next).to.equal(Date.parse('2024-01-01T00:01:00Z'));
    expect(planned?.entry()).to.include({ runCount: 3, lastSlot: '2024-01-01T00:03:00.000Z' });
  });

  it('plans as due at once a file planned with other schedule maths or time zone rules, and recomputes next once read', async () => {
    await new FileScheduleStore(path, { clock: () => CREATED }).putMany([interval('a'), interval('bad')]);
    const text = (await readFile(path, 'utf8'))
      .replace(/"planner":"[^"]*"/, '"planner":"0;tz=1990a"')
      .replace(/^\[\d+,"a",/m, '[4102444800000,"a",') // a `next` the other maths got wrong (2100)
      .replace(/^(\[\d+,"bad",)\{.*\}\]$/m, '$1{"name":"bad"}]');
    await writeFile(path, text);
    const store = new FileScheduleStore(path);
    expect((await store.listPlanned()).map(({ next }) => next)).to.deep.equal([0, 0]);
    await store.put(interval('b')); // a corrupt line not read yet does not stop a write
    expect((await readStoreLines(path)).lines.map(([next, name]) => [name, next])).to.deep.equal([
      ['a', 0],
      ['bad', 0],
      ['b', await dueOf(store, 'b')],
    ]);
    // The rewritten lines read back: heads, count and the corrupt line as it was.
    const reopened = await new FileScheduleStore(path).listPlanned();
    expect(reopened.map(({ name, next }) => [name, next]).slice(0, 2)).to.deep.equal([
      ['a', 0],
      ['bad', 0],
    ]);
    expect(() => reopened[1]?.entry()).to.throw(ConfigurationError, "schedule 'bad' is not a valid entry");
    await store.get('a');
    await store.put(interval('c'));
    expect((await readStoreLines(path)).lines[0]?.[0]).to.equal(Date.parse('2024-01-01T00:01:00Z'));
  });

  it('hands out through a PlannedEntry the fires another instance recorded since it was listed', async () => {
    const store = new FileScheduleStore(path, { clock: () => CREATED });
    await store.put(interval('a'));
    const [planned] = await store.listPlanned();
    await new FileScheduleStore(path).recordFire('a', new Date('2024-01-01T00:01:00Z'));
    expect(await store.get('a')).to.include({ runCount: 1 }); // this instance reads the journal
    expect(planned?.entry()).to.include({ runCount: 1, lastSlot: '2024-01-01T00:01:00.000Z' });
  });

  it('keeps a fire recorded in the journal when folding the journal into the file fails', async () => {
    await new FileScheduleStore(path, { clock: () => CREATED }).putMany([interval('a'), interval('bad')]);
    await writeFile(path, (await readFile(path, 'utf8')).replace(/^(\[\d+,"bad",)\{.*\}\]$/m, '$1{"name":"bad"}]'));
    // Fires of the corrupt line, more than the fold's threshold (1 MB): the next fire folds, and fails.
    const fire = (minute: number) =>
      `["bad","${new Date(Date.UTC(2024, 0, 1, 0, minute)).toISOString()}","2024-01-01T00:00:00.000Z"]\n`;
    await writeFile(`${path}.journal`, Array.from({ length: 20_000 }, (_, i) => fire(i + 1)).join(''));
    const store = new FileScheduleStore(path);
    expect(await store.recordFire('a', new Date('2024-01-01T00:01:00Z'))).to.equal(true);
    expect(store.counters.foldFailures).to.equal(1);
    expect(await new FileScheduleStore(path).get('a')).to.include({ runCount: 1 });
    const error = await store.put(interval('b')).catch((failure: unknown) => failure);
    expect((error as Error).message).to.contain("schedule 'bad' is not a valid entry");
  });

  it('keeps names that JSON escapes (quotes, backslashes) and others as they are', async () => {
    const names = ['quote"d', 'back\\slash', 'ünïcödé ☃', '"', '\\', '"\\"', 'a\\"', '\\\\'];
    await new FileScheduleStore(path).putMany(names.map(interval));
    const reopened = new FileScheduleStore(path);
    expect((await reopened.listPlanned()).map(({ name }) => name)).to.deep.equal(names);
    for (const name of names) expect(await reopened.get(name), name).to.include({ name });
  });

  it('writes a file of several megabytes of multi-byte names whole, lines across its write chunks intact', async () => {
    // 3 bytes a character (CJK), 4 a pair (emoji): a chunk's room is counted in bytes. Lines
    // mostly CJK, of many lengths, so that some chunk ends inside a line however short its room is counted.
    const names = Array.from({ length: 8000 }, (_, i) => `${'汉'.repeat(100 + (i % 90))}😀-${i}`);
    const withText = (name: string, i: number) => ({ ...interval(name), args: ['字'.repeat(300 + (i % 500))] });
    await new FileScheduleStore(path).putMany(names.map(withText));
    expect((await readFile(path)).length).to.be.greaterThan(8 * 1024 * 1024);
    const reopened = new FileScheduleStore(path);
    expect((await reopened.listPlanned()).map(({ name }) => name)).to.deep.equal(names);
    // Every entry parsed: a line cut short at a chunk's end keeps its head but not its entry.
    const entries = await reopened.list();
    expect(entries.map(({ name }) => name).sort()).to.deep.equal([...names].sort());
  });
});
