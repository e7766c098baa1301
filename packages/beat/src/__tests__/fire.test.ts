import { expect } from 'chai';
import {
  InvalidArgumentError,
  chain,
  defineTask,
  scheduledCanvas,
  MemoryScheduleStore,
  compileScheduleInput,
  silentLogger,
  slotTaskId,
  type ScheduleEntry,
  type ScheduleStore,
} from '@celeriac/core';
import { fireSlots, sendOptions, type FireDeps, type TaskSender } from '../fire.js';
import { Events, FakeSender } from './fakes.js';

const SLOT_1 = new Date('2030-01-01T00:00:00.000Z');
const SLOT_2 = new Date('2030-01-01T00:01:00.000Z');

async function stored(store: ScheduleStore, kind: 'interval' | 'once' = 'interval'): Promise<ScheduleEntry> {
  const schedule = kind === 'once' ? { kind, at: SLOT_1 } : { kind, everyMs: 60_000, anchor: SLOT_1 };
  return store.put(
    compileScheduleInput(
      { name: 'job', task: 'tasks.job', args: [1], schedule, options: { queue: 'jobs', priority: 3, expires: 30 } },
      SLOT_1,
    ),
  );
}

function deps(store: ScheduleStore, sender: TaskSender, events = new Events()): FireDeps {
  return { store, sender, logger: silentLogger, emit: events.emit, clock: () => SLOT_2.getTime() + 250 };
}

describe('fireSlots', () => {
  it('publishes each slot before recording it, with the slot task id', async () => {
    const store = new MemoryScheduleStore();
    const order: string[] = [];
    const sender: TaskSender = {
      sendTask: async (_n, _a, _k, options) => void order.push(`send ${options.taskId}`),
      send: () => Promise.reject(new Error('no canvas here')),
    };
    const recordFire = store.recordFire.bind(store);
    store.recordFire = async (name, slot) => (order.push(`record ${slotTaskId(name, slot)}`), recordFire(name, slot));
    const outcome = await fireSlots(await stored(store), [SLOT_1, SLOT_2], deps(store, sender));
    const [id1, id2] = [slotTaskId('job', SLOT_1), slotTaskId('job', SLOT_2)];
    expect(order).to.deep.equal([`send ${id1}`, `record ${id1}`, `send ${id2}`, `record ${id2}`]);
    expect(outcome).to.have.property('kind', 'fired');
    expect(await store.get('job')).to.include({ runCount: 2, lastSlot: SLOT_2.toISOString() });
  });

  it("sends the schedule's queue and priority, and an expiry counted from the slot", () => {
    const entry = { options: { queue: 'jobs', priority: 3, expires: 30 } } as ScheduleEntry;
    expect(sendOptions(entry, SLOT_1, 'id-1')).to.deep.equal({
      taskId: 'id-1',
      queue: 'jobs',
      priority: 3,
      expires: new Date(SLOT_1.getTime() + 30_000),
    });
    expect(sendOptions({ options: {} } as ScheduleEntry, SLOT_1, 'id-2')).to.deep.equal({ taskId: 'id-2' });
  });

  it('emits schedule:fired with the lateness from the slot', async () => {
    const store = new MemoryScheduleStore();
    const events = new Events();
    await fireSlots(await stored(store), [SLOT_2], deps(store, new FakeSender(), events));
    expect(events.of('schedule:fired')).to.deep.equal([
      [{ name: 'job', slot: SLOT_2, taskId: slotTaskId('job', SLOT_2), lateMs: 250 }],
    ]);
  });

  it('records nothing for a slot whose publish failed, and asks for a retry', async () => {
    const store = new MemoryScheduleStore();
    const sender = new FakeSender();
    sender.failNext = 1;
    const outcome = await fireSlots(await stored(store), [SLOT_1], deps(store, sender));
    expect(outcome.kind).to.equal('retry');
    expect((await store.get('job'))?.runCount).to.equal(0);
  });

  it('asks for a retry when the store fails to record a slot it sent', async () => {
    const store = new MemoryScheduleStore();
    const entry = await stored(store);
    store.recordFire = async () => Promise.reject(new Error('disk full'));
    const sender = new FakeSender();
    expect((await fireSlots(entry, [SLOT_1, SLOT_2], deps(store, sender))).kind).to.equal('retry');
    expect(sender.sent).to.have.length(1); // stopped at the first slot; its retry reuses the same id
  });

  it('sends no further slot once the beat is no longer active (lost the lock)', async () => {
    const store = new MemoryScheduleStore();
    const sender = new FakeSender();
    const active = () => sender.sent.length < 1;
    const outcome = await fireSlots(await stored(store), [SLOT_1, SLOT_2], { ...deps(store, sender), active });
    expect(outcome.kind).to.equal('retry');
    expect(sender.sent).to.have.length(1);
    expect((await store.get('job'))?.lastSlot).to.equal(SLOT_1.toISOString());
  });

  it('reports a slot another beat recorded first as taken', async () => {
    const store = new MemoryScheduleStore();
    const entry = await stored(store);
    await store.recordFire('job', SLOT_1);
    const sender = new FakeSender();
    expect((await fireSlots(entry, [SLOT_1], deps(store, sender))).kind).to.equal('taken');
    expect(sender.sent).to.have.length(1); // the duplicate carries the same id, so it is recognisable
  });

  it('sends a chain schedule whole, with the slot id on its first task', async () => {
    const store = new MemoryScheduleStore();
    const close = defineTask<[day: string], number>('orders.close_day');
    const summary = defineTask<[count: number], string>('orders.summary');
    const input = {
      name: 'nightly',
      schedule: { kind: 'interval' as const, everyMs: 60_000, anchor: SLOT_1 },
      options: { queue: 'orders' },
      ...scheduledCanvas(chain(close.s('today'), summary.s())),
    };
    const entry = await store.put(compileScheduleInput(input, SLOT_1));
    const sender = new FakeSender();
    expect((await fireSlots(entry, [SLOT_1], deps(store, sender))).kind).to.equal('fired');
    expect(sender.sent).to.have.length(1);
    expect(sender.sent[0]).to.deep.include({ name: 'celery.chain' });
    expect(sender.sent[0]?.options).to.deep.equal({ queue: 'orders', taskId: slotTaskId('nightly', SLOT_1) });
  });

  it('refuses a stored chain whose tasks are not signatures', () => {
    const input = {
      name: 'bad',
      task: 'celery.chain',
      kwargs: { tasks: [{ args: [] }] },
      schedule: { kind: 'interval' as const, everyMs: 1000 },
    };
    expect(() => compileScheduleInput(input)).to.throw(InvalidArgumentError, "schedule 'bad': invalid kwargs");
  });

  it('marks a schedule the client refuses as invalid, with schedule:error', async () => {
    const store = new MemoryScheduleStore();
    const events = new Events();
    const sender: TaskSender = {
      sendTask: async () => Promise.reject(new InvalidArgumentError('bad priority')),
      send: () => Promise.reject(new Error('no canvas here')),
    };
    expect((await fireSlots(await stored(store), [SLOT_1], deps(store, sender, events))).kind).to.equal('invalid');
    expect(events.of('schedule:error')).to.have.length(1);
  });

  it('disables a one-off schedule once it fired', async () => {
    const store = new MemoryScheduleStore();
    const outcome = await fireSlots(await stored(store, 'once'), [SLOT_1], deps(store, new FakeSender()));
    expect(outcome.kind === 'fired' && outcome.entry.enabled).to.equal(false);
    expect(await store.get('job')).to.include({ enabled: false, runCount: 1 });
  });
});
