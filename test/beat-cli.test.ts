/**
 * `celeriac beat` and `celeriac schedule`: preview needs no broker and shows DST days correctly;
 * bad flags are one line and exit 2 (both run in-process, against a broker that refuses
 * connections); a spawned `celeriac beat` takes `schedule add` at run time and fires it to a
 * worker, `ls` shows it, `rm` stops it.
 */
import { stat } from 'node:fs/promises';
import { expect } from 'chai';
import { parseJson } from '@celeriac/protocol';
import { slotTaskId, type ScheduleEntry, type ScheduleInput } from '@celeriac/core';
import {
  BeatDir,
  FireRecorder,
  futureAnchor,
  runInProcess,
  slotsOf,
  stopGracefully,
  type CliRun,
} from './support/beat-harness.js';
import { deleteQueues, eventually, uniqueName } from './support/broker.js';
import type { SpawnedCli } from './support/spawned-cli.js';

/** Port 1 refuses connections: a command that tried the broker would fail, not print. */
const NO_BROKER = 'amqp://nobody:secret@127.0.0.1:1//';

function lines(text: string): string[] {
  return text.split('\n').filter(Boolean);
}

function expectUsageError(result: CliRun, pattern: RegExp): void {
  expect(result.code, result.stderr).to.equal(2);
  expect(result.stdout).to.equal('');
  expect(lines(result.stderr), 'exactly one stderr line').to.have.length(1);
  expect(result.stderr)
    .to.match(/^celeriac: /)
    .and.match(pattern);
}

describe('celeriac schedule preview (no broker)', function () {
  this.timeout(20_000);

  it('fires a 02:30 Warsaw schedule at 03:30 on the spring-forward day, once', async function () {
    const result = await runInProcess(
      [
        'schedule',
        'preview',
        '--cron',
        '30 2 * * *',
        '--tz',
        'Europe/Warsaw',
        '--from',
        '2025-03-29T00:00:00Z',
        '--count',
        '3',
      ],
      NO_BROKER,
    );
    expect(result.code, result.stderr).to.equal(0);
    expect(lines(result.stdout)).to.deep.equal([
      '2025-03-29T01:30:00.000Z  2025-03-29T02:30:00+01:00 Europe/Warsaw',
      '2025-03-30T01:30:00.000Z  2025-03-30T03:30:00+02:00 Europe/Warsaw',
      '2025-03-31T00:30:00.000Z  2025-03-31T02:30:00+02:00 Europe/Warsaw',
    ]);
  });

  it('fires a 01:30 Chicago schedule once on the fall-back day, though 01:30 happens twice', async function () {
    const result = await runInProcess(
      [
        'schedule',
        'preview',
        '--cron',
        '30 1 * * *',
        '--tz',
        'America/Chicago',
        '--from',
        '2025-11-01T12:00:00Z',
        '--count',
        '2',
      ],
      NO_BROKER,
    );
    expect(result.code, result.stderr).to.equal(0);
    expect(lines(result.stdout)).to.deep.equal([
      '2025-11-02T06:30:00.000Z  2025-11-02T01:30:00-05:00 America/Chicago',
      '2025-11-03T07:30:00.000Z  2025-11-03T01:30:00-06:00 America/Chicago',
    ]);
  });

  it('lists interval slots anchored at --from', async function () {
    const result = await runInProcess(
      ['schedule', 'preview', '--every', '90m', '--from', '2025-01-01T00:00:00Z', '--count', '2'],
      NO_BROKER,
    );
    expect(lines(result.stdout)).to.deep.equal(['2025-01-01T01:30:00.000Z', '2025-01-01T03:00:00.000Z']);
  });
});

describe('celeriac schedule and beat: bad flags (exit 2, one line, no broker)', function () {
  this.timeout(20_000);
  const cases: [string, string[], RegExp][] = [
    [
      'two kinds',
      ['schedule', 'add', 'n', '--task', 't', '--cron', '0 7 * * *', '--every', '1s'],
      /give only one of --cron, --every, --at/,
    ],
    ['no kind', ['schedule', 'add', 'n', '--task', 't'], /give one of --cron, --every, --at/],
    ['no task', ['schedule', 'add', 'n', '--every', '1s'], /missing required option --task/],
    ['no name', ['schedule', 'rm'], /schedule rm needs a schedule name/],
    ['a bad duration', ['schedule', 'add', 'n', '--task', 't', '--every', '5 minutes'], /--every must be a duration/],
    [
      'an unknown zone',
      ['schedule', 'add', 'n', '--task', 't', '--cron', '0 7 * * *', '--tz', 'Europe/Atlantis'],
      /unknown time zone 'Europe\/Atlantis'/,
    ],
    ['a bad cron', ['schedule', 'preview', '--cron', '61 * * * *'], /invalid cron expression/],
    ['--tz without --cron', ['schedule', 'preview', '--every', '1m', '--tz', 'UTC'], /--tz applies to --cron only/],
    [
      'a bad policy',
      ['schedule', 'add', 'n', '--task', 't', '--every', '1s', '--policy', 'sometimes'],
      /--policy must be one of skip, once, all/,
    ],
    ['an unknown action', ['schedule', 'list'], /Choices: "add", "update", "ls"/],
    [
      'a missing schedule file',
      ['beat', '--schedule', 'no/such/file.json'],
      /cannot read --schedule no\/such\/file\.json: ENOENT/,
    ],
  ];
  for (const [what, args, pattern] of cases) {
    it(`rejects ${what}`, async function () {
      expectUsageError(await runInProcess(args, NO_BROKER), pattern);
    });
  }

  it('rejects an invalid static schedule before connecting', async function () {
    const dir = await BeatDir.create();
    try {
      const file = await dir.writeSchedules([
        { name: 'bad', task: 't', schedule: { kind: 'cron', expression: '0 7 * * *', timezone: 'Nowhere/City' } },
      ]);
      expectUsageError(
        await runInProcess(['beat', '--store', dir.storeUrl, '--schedule', file], NO_BROKER),
        /invalid static schedule: schedule 'bad': unknown time zone/,
      );
    } finally {
      await dir.remove();
    }
  });
});

describe('celeriac beat with runtime edits (schedule add, ls, rm)', function () {
  this.timeout(30_000);
  let dir: BeatDir;
  let beat: SpawnedCli | null;
  let recorder: FireRecorder;
  let queue: string;
  const task = 'celeriac.test.beat_cli.tick';

  beforeEach(async function () {
    dir = await BeatDir.create();
    queue = uniqueName('beat-cli');
    recorder = new FireRecorder(queue, [task]);
    await recorder.start();
    beat = await dir.beat();
  });

  afterEach(async function () {
    await beat?.stop();
    await recorder.stop();
    await deleteQueues(queue);
    await dir.remove();
  });

  async function listed(name: string): Promise<ScheduleEntry> {
    const result = await runInProcess(['schedule', 'ls', '--json']);
    expect(result.code, result.stderr).to.equal(0);
    const entry = (parseJson(result.stdout) as ScheduleEntry[]).find((candidate) => candidate.name === name);
    if (!entry) throw new Error(`schedule ${name} not listed:\n${result.stdout}`);
    return entry;
  }

  it('fires a schedule added at run time, lists it, and stops firing it once removed', async function () {
    const name = uniqueName('tick');
    const added = await runInProcess(['schedule', 'add', name, '--task', task, '--every', '1s', '--queue', queue]);
    expect(added.code, added.stderr).to.equal(0);
    expect(added.stdout).to.include(name).and.include('every 1s');

    await eventually(() => (recorder.fires.length >= 2 ? true : undefined), 10_000);
    const table = await runInProcess(['schedule', 'ls']);
    expect(lines(table.stdout).find((line) => line.startsWith(name))).to.match(
      new RegExp(`every 1s +${task.replace(/\./g, '\\.')} +${queue.replace(/\./g, '\\.')} +once +yes`),
    );
    const entry = await listed(name);
    expect(entry.runCount).to.be.at.least(2);
    if (entry.schedule.kind !== 'interval') throw new Error('expected an interval schedule');
    const anchor = Date.parse(entry.schedule.anchor);

    const removed = await runInProcess(['schedule', 'rm', name]);
    expect(removed.code, removed.stderr).to.equal(0);
    expect(removed.stdout).to.equal(`removed ${name}\n`);
    const removedAt = Date.now();
    await new Promise((resolve) => setTimeout(resolve, 2000));

    const slots = slotsOf(name, anchor, 1000, recorder.fires);
    expect(slots, 'every fire is a slot of the schedule (its id is slotTaskId)').not.to.include(null);
    expect(new Set(slots).size, 'no slot fired twice').to.equal(slots.length);
    expect(Math.max(...(slots as number[])), 'no slot after the removal fired').to.be.below(removedAt);
  });

  it('answers a refused command with exit 1 and one line, updates and disables, and stops gracefully with exit 0', async function () {
    const name = uniqueName('dup');
    const args = ['schedule', 'add', name, '--task', task, '--cron', '0 0 1 1 *', '--queue', queue];
    expect((await runInProcess(args)).code).to.equal(0);
    const again = await runInProcess(args);
    expect(again.code, again.stderr).to.equal(1);
    expect(lines(again.stderr)).to.have.length(1);
    expect(again.stderr).to.match(/^celeriac: beat refused the command: .*already exists/);
    const missing = await runInProcess(['schedule', 'rm', uniqueName('none')]);
    expect(missing.code).to.equal(1);
    expect(missing.stderr).to.match(/^celeriac: no schedule named/);
    const updated = await runInProcess([
      'schedule',
      'update',
      name,
      '--task',
      task,
      '--cron',
      '0 6 * * *',
      '--tz',
      'Europe/Warsaw',
      '--queue',
      queue,
      '--policy',
      'skip',
    ]);
    expect(updated.code, updated.stderr).to.equal(0);
    expect(updated.stdout).to.match(/cron "0 6 \* \* \*" Europe\/Warsaw .* skip +yes +0 /);
    expect((await runInProcess(['schedule', 'disable', name])).stdout).to.match(/ skip +no +0 /);
    expect(await stopGracefully(beat!)).to.deep.equal({ code: 0, signal: null });
    beat = null;
  });
});

/**
 * The defect that shipped: merging a static schedule file into the default file store read and
 * rewrote the whole file once per schedule, so 2,000 entries led after 26 s and 5,000 never fired
 * within 90 s. Now the merge is one read and one write, and a restart with the same file none.
 */
describe('celeriac beat --schedule with 5,000 entries on the file store', function () {
  this.timeout(60_000);
  const task = 'celeriac.test.beat_cli.site_check';
  const count = 5000;
  let dir: BeatDir;
  let queue: string;
  let recorder: FireRecorder;
  let beat: SpawnedCli | null = null;

  beforeEach(async function () {
    dir = await BeatDir.create();
    queue = uniqueName('beat-5k');
    recorder = new FireRecorder(queue, [task]);
    await recorder.start();
  });

  afterEach(async function () {
    await beat?.stop();
    await recorder.stop();
    await deleteQueues(queue);
    await dir.remove();
  });

  function merged(run: SpawnedCli): Record<string, unknown> | undefined {
    return run.logs().find((line) => line.message === 'static schedules merged into the store');
  }

  /** The merge's line, which may come after 'beat leading': a beat leads while its merge is written. */
  function mergeWritten(run: SpawnedCli): Promise<Record<string, unknown>> {
    return run.waitForLog((line) => line.message === 'static schedules merged into the store');
  }

  function unchanged(run: SpawnedCli): boolean {
    return run
      .logs()
      .some((line) => line.message === 'static schedules unchanged since their last merge: not merged again');
  }

  it('leads, fires every schedule once at its slot, and restarts without merging an unchanged file again', async function () {
    const everyMs = 3_600_000;
    const anchor = futureAnchor(1000, 5000);
    const schedules = Array.from({ length: count }, (_, i) => ({
      name: `site-${i}`,
      task,
      options: { queue },
      schedule: { kind: 'interval', everyMs, anchor: new Date(anchor).toISOString() },
    }));
    const file = await dir.writeSchedules(schedules as ScheduleInput[]);
    beat = await dir.beat(file);
    expect(await mergeWritten(beat)).to.include({ static: count, changed: count });
    await eventually(() => (recorder.fires.length >= count ? true : undefined), 30_000);
    const expected = new Set(schedules.map((schedule) => slotTaskId(schedule.name, new Date(anchor))));
    expect(new Set(recorder.fires.map((fire) => fire.taskId))).to.deep.equal(expected);
    expect(await stopGracefully(beat)).to.deep.equal({ code: 0, signal: null });

    const storeFile = dir.storeUrl.slice('file:'.length);
    const written = (await stat(storeFile)).mtimeMs;
    beat = await dir.beat(file);
    expect([merged(beat), unchanged(beat)]).to.deep.equal([undefined, true]);
    expect(recorder.fires).to.have.length(count); // the restart found every slot recorded
    expect((await stat(storeFile)).mtimeMs, 'the store file was not written').to.equal(written);
    expect(await stopGracefully(beat)).to.deep.equal({ code: 0, signal: null });

    // One more schedule in the file: a new digest, so the file is merged again (one change).
    await dir.writeSchedules([...schedules, { ...schedules[0], name: 'site-new' }] as ScheduleInput[]);
    beat = await dir.beat(file);
    expect(await mergeWritten(beat)).to.include({ static: count + 1, changed: 1 });
    expect(unchanged(beat)).to.equal(false);
  });
});
