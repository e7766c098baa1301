import { expect } from 'chai';
import { compileScheduleInput, slotTaskId, type ScheduleInput } from '@celeriac/core';
import { WAKE_BATCH } from '../beat-loop.js';
import { inMs, loopHarness, onceAt, sleep, until } from './fakes.js';

describe('BeatLoop (fake sender, memory store)', () => {
  let h: ReturnType<typeof loopHarness>;
  afterEach(() => h.loop.stop());

  it('fires schedules in slot order with slot task ids, and disables one-offs after their fire', async () => {
    h = loopHarness();
    const slots = { b: inMs(60), a: inMs(20), c: inMs(100) };
    for (const [name, at] of Object.entries(slots)) await h.store.put(compile(onceAt(name, at)));
    await h.loop.start();
    await until(() => h.sender.sent.length === 3);
    expect(h.sender.sent.map((task) => task.options.taskId)).to.deep.equal(
      ['a', 'b', 'c'].map((name) => slotTaskId(name, slots[name as 'a'])),
    );
    await until(() => h.events.of('schedule:fired').length === 3);
    const stored = await h.store.list();
    expect(stored.every((entry) => !entry.enabled && entry.runCount === 1)).to.equal(true);
    expect(h.loop.scheduledCount).to.equal(0);
  });

  it('fires nothing between load() and run() (a beat not yet leading), then plans what was loaded and edited', async () => {
    h = loopHarness();
    const due = inMs(-10);
    await h.store.put(compile(onceAt('due', due)));
    expect(await h.loop.load()).to.equal(true);
    const edited = inMs(20);
    await h.editor.add(onceAt('added', edited));
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(h.sender.sent).to.have.length(0);
    h.loop.run();
    await until(() => h.sender.sent.length === 2);
    expect(h.sender.sent.map((task) => task.options.taskId)).to.deep.equal([
      slotTaskId('due', due),
      slotTaskId('added', edited),
    ]);
  });

  it('keeps the edits made while the store is being listed, over a listing taken before them', async () => {
    h = loopHarness();
    await h.store.put(compile(onceAt('removed', inMs(-10))));
    const list = h.store.list.bind(h.store);
    let listed!: () => void;
    const taken = new Promise<void>((resolve) => (listed = resolve));
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    h.store.list = async () => {
      const entries = await list();
      listed();
      await held;
      return entries;
    };
    const loading = h.loop.load();
    await taken;
    const added = inMs(20);
    await h.editor.add(onceAt('added', added));
    await h.editor.remove('removed');
    release();
    expect(await loading).to.equal(true);
    h.loop.run();
    await until(() => h.sender.sent.length === 1);
    await sleep(40);
    expect(h.sender.sent.map((task) => task.options.taskId)).to.deep.equal([slotTaskId('added', added)]);
  });

  it(`yields to the event loop after every ${WAKE_BATCH} fires of a burst, and still fires each due slot once`, async () => {
    h = loopHarness();
    const due = inMs(-10);
    const total = WAKE_BATCH * 4 + 3;
    for (let i = 0; i < total; i++) await h.store.put(compile(onceAt(`burst-${i}`, due)));
    expect(await h.loop.load()).to.equal(true);
    h.loop.run();
    // Set after the loop armed its wake-up: it runs once a pass has yielded (one or more passes,
    // as the timer's millisecond and the passes' setImmediate fall), before the burst is all out.
    const sentWhenYielded = await new Promise<number>((resolve) => setTimeout(() => resolve(h.sender.sent.length), 0));
    expect(sentWhenYielded).to.be.within(WAKE_BATCH, total - 1);
    expect(sentWhenYielded % WAKE_BATCH).to.equal(0);
    await until(() => h.sender.sent.length === total);
    expect(new Set(h.sender.sent.map((task) => task.options.taskId)).size).to.equal(total);
  });

  it('hands out a whole burst before recording its fires, when the sends resolve at once', async () => {
    h = loopHarness();
    const due = inMs(-10);
    const total = WAKE_BATCH * 3 + 7;
    for (let i = 0; i < total; i++) await h.store.put(compile(onceAt(`handed-${i}`, due)));
    let sentAtFirstRecord: number | null = null;
    const recordFire = h.store.recordFire.bind(h.store);
    h.store.recordFire = (name, slot) => ((sentAtFirstRecord ??= h.sender.sent.length), recordFire(name, slot));
    await h.loop.start();
    await until(() => h.events.of('schedule:fired').length === total);
    expect(sentAtFirstRecord).to.equal(total);
    expect((await h.store.list()).every((entry) => entry.runCount === 1)).to.equal(true);
  });

  it('records the fires already sent when it is stopped in the middle of a burst', async () => {
    h = loopHarness();
    const due = inMs(-10);
    const total = WAKE_BATCH * 3;
    for (let i = 0; i < total; i++) await h.store.put(compile(onceAt(`stopped-${i}`, due)));
    await h.loop.start();
    await new Promise((resolve) => setTimeout(resolve, 0));
    const sent = h.sender.sent.length;
    expect(sent).to.be.within(1, total - 1);
    await h.loop.stop();
    const fired = (await h.store.list()).filter((entry) => entry.runCount === 1);
    expect(fired).to.have.length(sent);
  });

  it("fires the whole burst when handing it out takes longer than the skip policy's second (the tail is not a missed run)", async () => {
    // The beat's clock jumps 2 s with the first fire: every later batch of the burst starts
    // more than a second after its slot, as 25,000 fires on one second do on a slow machine.
    let skew = 0;
    h = loopHarness({ clock: () => new Date(Date.now() - 30_000) }, 20, () => Date.now() + skew);
    const every = { kind: 'interval', everyMs: 60_000, anchor: new Date(Date.now() - 60_010) } as const;
    const total = WAKE_BATCH * 2 + 5;
    for (let i = 0; i < total; i++)
      await h.store.put(compile({ name: `tail-${i}`, task: 'tasks.tail', schedule: every, missedRuns: 'skip' }));
    const send = h.sender.sendTask.bind(h.sender);
    h.sender.sendTask = (...args) => ((skew = 2000), send(...args));
    await h.loop.start();
    await until(() => h.events.of('schedule:fired').length === total);
    expect(new Set(h.sender.sent.map((task) => task.options.taskId)).size).to.equal(total);
  });

  it('moves an edited schedule in the heap at once', async () => {
    h = loopHarness();
    await h.loop.start();
    await h.editor.add(onceAt('later', inMs(60_000)));
    expect(h.loop.nextFireOf('later')).to.be.instanceOf(Date);
    const soon = inMs(30);
    await h.editor.update(onceAt('later', soon));
    expect(h.loop.nextFireOf('later')?.getTime()).to.equal(soon.getTime());
    await until(() => h.sender.sent.length === 1);
    expect(h.sender.sent[0]!.options.taskId).to.equal(slotTaskId('later', soon));
  });

  it('never fires a schedule removed or disabled before its slot, and fires it once enabled again', async () => {
    h = loopHarness();
    await h.loop.start();
    await h.editor.add(onceAt('removed', inMs(30)));
    await h.editor.add(onceAt('paused', inMs(30)));
    await h.editor.remove('removed');
    await h.editor.setEnabled('paused', false);
    expect(h.loop.scheduledCount).to.equal(0);
    await sleep(80);
    expect(h.sender.sent).to.have.length(0);
    await h.editor.setEnabled('paused', true);
    await until(() => h.sender.sent.length === 1);
    expect(h.sender.sent[0]!.name).to.equal('tasks.once');
  });

  it('retries a fire the broker did not confirm, with the same task id, and records it once', async () => {
    h = loopHarness();
    h.sender.failNext = 2;
    const at = inMs(10);
    await h.editor.add(onceAt('flaky', at));
    await h.loop.start();
    await until(() => h.sender.sent.length === 1);
    expect(h.sender.sent[0]!.options.taskId).to.equal(slotTaskId('flaky', at));
    await until(() => h.events.of('schedule:fired').length === 1);
    expect((await h.store.get('flaky'))?.runCount).to.equal(1);
  });

  it('skips a schedule whose stored data is invalid with schedule:error, and keeps firing the others', async () => {
    h = loopHarness();
    const broken = compile(onceAt('broken', inMs(10)));
    await h.store.put({ ...broken, schedule: { kind: 'cron', expression: 'not a cron', timezone: 'UTC' } });
    await h.store.put(compile(onceAt('fine', inMs(20))));
    await h.loop.start();
    await until(() => h.sender.sent.length === 1);
    const [[error]] = h.events.of('schedule:error') as [[{ name: string; error: Error }]];
    expect(error.name).to.equal('broken');
    expect(h.loop.running).to.equal(true);
  });

  it('skips stored schedules of an unknown kind or a zero period with schedule:error; the others still fire', async () => {
    h = loopHarness();
    const base = compile(onceAt('solar', inMs(10)));
    await h.store.put({ ...base, schedule: { kind: 'solar' } as unknown as typeof base.schedule });
    const every = { kind: 'interval', everyMs: 0, anchor: new Date().toISOString() } as const;
    await h.store.put({ ...compile(onceAt('zero', inMs(10))), name: 'zero', schedule: every });
    const fine = inMs(20);
    await h.store.put(compile(onceAt('fine', fine)));
    await h.loop.start();
    await until(() => h.sender.sent.length === 1);
    const errors = h.events.of('schedule:error').map(([{ name }]) => name);
    expect(errors.sort()).to.deep.equal(['solar', 'zero']);
    expect(h.sender.sent[0]?.options.taskId).to.equal(slotTaskId('fine', fine));
    expect(h.loop.running).to.equal(true);
  });

  it('caps timers beyond 2^31-1 ms instead of letting setTimeout overflow (it would fire at once, then spin)', async () => {
    h = loopHarness();
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(warning.name);
    process.on('warning', onWarning);
    try {
      const far = inMs(40 * 24 * 3600_000);
      await h.editor.add(onceAt('far', far));
      await h.loop.start();
      await sleep(50);
      expect(h.sender.sent).to.have.length(0);
      expect(h.loop.nextFireOf('far')?.getTime()).to.equal(far.getTime());
      expect(warnings).to.not.include('TimeoutOverflowWarning');
    } finally {
      process.off('warning', onWarning);
    }
  });

  it('catches up missed interval slots by policy: all fires each (oldest first), once fires the latest', async () => {
    const created = Date.now() - 10_500;
    h = loopHarness({ clock: () => new Date(created) });
    const anchor = new Date(created);
    const every = { kind: 'interval', everyMs: 1000, anchor } as const;
    await h.editor.add({ name: 'all', task: 'tasks.all', schedule: every, missedRuns: 'all' });
    await h.editor.add({ name: 'once', task: 'tasks.once', schedule: every, missedRuns: 'once' });
    await h.loop.start();
    await until(() => h.events.of('schedule:fired').length === 11);
    const all = h.events
      .of('schedule:fired')
      .map(([info]) => info)
      .filter((info) => info.name === 'all');
    expect(all).to.have.length(10);
    expect(all.map((info) => info.slot.getTime())).to.deep.equal(
      Array.from({ length: 10 }, (_, k) => created + (k + 1) * 1000),
    );
    expect((await h.store.get('once'))?.runCount).to.equal(1);
    expect((await h.store.get('once'))?.lastSlot).to.equal(new Date(created + 10_000).toISOString());
    // Both wait for their next slot now, not re-firing the past.
    expect(h.loop.nextFireOf('all')?.getTime()).to.equal(created + 11_000);
  });

  it('restarted while a fire still waits for its confirm, plans from what that fire records: no slot goes out twice, even with an edit meanwhile', async () => {
    h = loopHarness();
    let confirm!: () => void;
    h.sender.held = new Promise((resolve) => (confirm = resolve));
    const at = inMs(10);
    await h.editor.add(onceAt('held', at));
    await h.loop.start();
    await sleep(40);
    // The lock is lost and regained while the fire is still unconfirmed.
    void h.loop.stop();
    const restarted = h.loop.start();
    await sleep(20);
    // An edit while the restart waits for that fire: its entry still has the slot unfired.
    await h.editor.setEnabled('held', true);
    confirm();
    await restarted;
    await sleep(40);
    expect(h.sender.sent.map((task) => task.options.taskId)).to.deep.equal([slotTaskId('held', at)]);
    expect((await h.store.get('held'))?.runCount).to.equal(1);
  });

  it('keeps a fire in flight when the same wake-up first found nothing due for its schedule (a stale slot skipped)', async () => {
    const now = Date.now();
    h = loopHarness({ clock: () => new Date(now - 10_000) }, 20, Date.now, 1000);
    const every = { kind: 'interval', everyMs: 2000, anchor: new Date(now - 3500) } as const;
    await h.editor.add({ name: 'x', task: 'tasks.x', schedule: every, missedRuns: 'skip' });
    // Its due slot (1.5 s old) is skipped; the next, 0.5 s ahead, is within the tolerance.
    await h.store.recordFire('x', new Date(now - 3500));
    let confirm!: () => void;
    h.sender.held = new Promise((resolve) => (confirm = resolve));
    await h.loop.start();
    await until(() => h.loop.nextFireOf('x') === undefined);
    await sleep(20);
    expect(h.loop.nextFireOf('x')).to.equal(undefined); // still firing, not planned again
    let stopped = false;
    const stopping = h.loop.stop().then(() => (stopped = true));
    await sleep(30);
    expect(stopped).to.equal(false); // stop() waits for the fire still unconfirmed
    confirm();
    await stopping;
    expect(h.sender.sent.map((task) => task.options.taskId)).to.deep.equal([slotTaskId('x', new Date(now + 500))]);
  });

  it('fires nothing after stop()', async () => {
    h = loopHarness();
    await h.editor.add(onceAt('stopped', inMs(40)));
    await h.loop.start();
    await h.loop.stop();
    await sleep(80);
    expect(h.sender.sent).to.have.length(0);
  });
});

function compile(input: ScheduleInput) {
  return compileScheduleInput(input, new Date());
}
