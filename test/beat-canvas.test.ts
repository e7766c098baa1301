/**
 * Beat fires a canvas: a schedule whose task is a chain (stored as Celery's `celery.chain` with
 * its signatures), sent whole at each slot; the workers run it through to its last step. The
 * work-order example's nightly "close the day's orders, then send one summary".
 */
import { expect } from 'chai';
import { Beat } from '@celeriac/beat';
import { MemoryScheduleStore, chain, defineTask, scheduledCanvas, slotTaskId } from '@celeriac/core';
import { TaskRegistry, type TaskContext } from '@celeriac/worker';
import { BEAT_GROUP, BROKER_URL } from './support/broker.js';
import { TaskHarness } from './support/task-harness.js';

const closeDay = defineTask<[day: string], number>('orders.close_day');
const summary = defineTask<[closed: number, channel: string], string>('orders.send_summary');

describe('beat fires a canvas', function () {
  this.timeout(30_000);
  const harness = new TaskHarness('beat-canvas');
  let beat: Beat | undefined;

  after(async function () {
    await beat?.stop();
    await harness.release();
  });

  it('fires a chain schedule: the first step with the slot id, the next one after it', async function () {
    const summaries: Array<{ text: string; parentId: string | null }> = [];
    const summarised = new Promise<void>((resolve) => {
      const tasks = new TaskRegistry()
        .register(closeDay, (day) => (day === 'today' ? 40 : 0))
        .register(summary, (closed, channel, ctx?: TaskContext) => {
          summaries.push({ text: `${closed} orders closed (${channel})`, parentId: ctx?.parentId ?? null });
          resolve();
          return 'sent';
        });
      void harness.worker(tasks);
    });
    const name = 'nightly-close';
    const store = new MemoryScheduleStore();
    const schedule = {
      name,
      schedule: { kind: 'once' as const, at: new Date(Date.now() + 500) },
      options: { queue: harness.queue },
      ...scheduledCanvas(chain(closeDay.s('today'), summary.s('email'))),
    };
    beat = new Beat({ brokerUrl: BROKER_URL, store, beatGroup: BEAT_GROUP, schedules: [schedule] });
    const fired = new Promise<{ taskId: string; slot: Date }>((resolve) => beat!.on('schedule:fired', resolve));
    await beat.start();
    const fire = await fired;
    await summarised;
    expect(fire.taskId).to.equal(slotTaskId(name, fire.slot));
    expect(summaries).to.deep.equal([{ text: '40 orders closed (email)', parentId: fire.taskId }]);
    expect((await store.get(name))?.task).to.equal('celery.chain');
  });
});
