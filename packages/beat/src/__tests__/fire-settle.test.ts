import { expect } from 'chai';
import {
  MemoryScheduleStore,
  compileScheduleInput,
  slotTaskId,
  type LogLevel,
  type LogMeta,
  type Logger,
} from '@celeriac/core';
import { BeatLoop } from '../beat-loop.js';
import type { TaskSender } from '../fire.js';
import { Events, inMs, onceAt, until } from './fakes.js';

interface Line {
  level: LogLevel;
  message: string;
  meta: LogMeta | undefined;
}

function recordingLogger(lines: Line[]): Logger {
  const logger: Logger = {
    log: (level, message, meta) => void lines.push({ level, message, meta }),
    child: () => logger,
  };
  return logger;
}

/** A loop whose sends run `during` (given the task id) first: what changes in the store while a fire is out. */
function loopWith(store: MemoryScheduleStore, lines: Line[], during: (taskId: string) => Promise<unknown>) {
  const sender: TaskSender = {
    sendTask: async (_task, _args, _kwargs, options) => during(options.taskId ?? ''),
    send: () => Promise.reject(new Error('no canvas here')),
  };
  return new BeatLoop({
    store,
    sender,
    logger: recordingLogger(lines),
    emit: new Events().emit,
    clock: Date.now,
    toleranceMs: 2,
  });
}

describe('FireSettler, a fire whose record the store refuses', () => {
  it('says the slot is another beat’s when the schedule is stored, and that the schedule is gone when it is not', async () => {
    const store = new MemoryScheduleStore();
    const at = { mine: inMs(20), removed: inMs(20) };
    for (const [name, slot] of Object.entries(at))
      await store.put(compileScheduleInput(onceAt(name, slot), new Date()));
    const lines: Line[] = [];
    // While each fire is out: 'mine' gets its slot recorded by another beat, 'removed' leaves the store.
    const loop = loopWith(store, lines, async (taskId) => {
      if (taskId === slotTaskId('mine', at.mine)) await store.recordFire('mine', at.mine);
      else await store.remove('removed');
    });
    const warnings = () => lines.filter((line) => line.level === 'warn');
    try {
      await loop.start();
      await until(() => warnings().length === 2);
    } finally {
      await loop.stop();
    }
    expect(warnings()).to.have.length(2); // once each
    const warned = Object.fromEntries(lines.map((line) => [line.meta?.schedule as string, line]));
    expect(warned.mine?.message).to.equal(
      'slot already recorded by another beat; this fire is a duplicate with the same task id',
    );
    expect(warned.removed?.message).to.equal('schedule no longer in the store; its fire went out and is not recorded');
    expect(warned.removed?.meta).to.include({ taskId: slotTaskId('removed', at.removed) });
  });

  it('still warns of the refused record, with its slot and task id, when the store cannot be read again', async () => {
    const store = new MemoryScheduleStore();
    const at = inMs(20);
    await store.put(compileScheduleInput(onceAt('job', at), new Date()));
    store.recordFire = () => Promise.resolve(false);
    store.get = () => Promise.reject(new Error('store down'));
    const lines: Line[] = [];
    const loop = loopWith(store, lines, () => Promise.resolve());
    try {
      await loop.start();
      await until(() => lines.some((line) => line.level === 'warn'));
    } finally {
      await loop.stop();
    }
    const warned = lines.find((line) => line.level === 'warn');
    expect(warned?.message).to.match(/^slot not recorded .* the store cannot be read$/);
    expect(warned?.meta).to.include({ schedule: 'job', taskId: slotTaskId('job', at), error: 'store down' });
  });
});
