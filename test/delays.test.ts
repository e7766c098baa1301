import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { connect } from 'amqplib';
import { encodeTask, type EncodedTask } from '@celeriac/protocol';
import { defineTask } from '@celeriac/core';
import { TaskRegistry, type TaskContext } from '@celeriac/worker';
import { findInLanes } from './support/delay-lanes.js';
import { BROKER_URL, eventually } from './support/broker.js';
import { TaskHarness } from './support/task-harness.js';

const stamp = defineTask<[], { ranAt: number; eta: string | null }>('celeriac.test.delays.stamp');

/** A handler that records when it ran and the eta it was given. */
function stampTasks(runs: number[] = []): TaskRegistry {
  return new TaskRegistry().register(stamp, (ctx: TaskContext) => {
    runs.push(Date.now());
    return { ranAt: Date.now(), eta: ctx.eta?.toISOString() ?? null };
  });
}

describe('delays (countdown and eta) through the delay lanes', () => {
  let harness: TaskHarness;
  beforeEach(() => (harness = new TaskHarness('delays')));
  afterEach(() => harness.release());

  it('runs a countdown-2 task after its eta, and the message waits in a lane, not unacked in the worker', async () => {
    const runs: number[] = [];
    const worker = await harness.worker(stampTasks(runs));
    const result = await harness.client().send(stamp, [], { countdown: 2 });
    const [sighting] = await eventually(async () => {
      const found = await findInLanes(harness.queue);
      return found.length > 0 ? found : undefined;
    });
    // 2 s is the 2 s lane; 1 s plus a held rest once the send took a few ms (lanes round down).
    expect(sighting?.lane).to.match(/^celery_delayed_[01]$/);
    expect(sighting?.headers.id).to.equal(result.id);
    expect(worker.activeCount, 'the worker holds no message while the task waits').to.equal(0);
    expect(runs, 'ran before its eta').to.deep.equal([]);
    const outcome = await result.get({ timeoutMs: 10_000 });
    expect(outcome.ranAt).to.be.at.least(Date.parse(outcome.eta!));
  });

  it('runs a task whose eta is in the past at once, without the lanes', async () => {
    await harness.worker(stampTasks());
    const eta = new Date(Date.now() - 3_600_000);
    const result = await harness.client().send(stamp, [], { eta });
    expect((await result.get({ timeoutMs: 10_000 })).eta).to.equal(eta.toISOString());
    expect(await findInLanes(harness.queue)).to.deep.equal([]);
  });

  it('holds a sub-second countdown in memory and runs it after its eta', async () => {
    await harness.worker(stampTasks());
    const outcome = await (await harness.client().send(stamp, [], { countdown: 0.4 })).get({ timeoutMs: 10_000 });
    expect(outcome.ranAt).to.be.at.least(Date.parse(outcome.eta!));
  });

  it('moves a future-eta message that was put straight on the queue into the lanes, then runs it', async () => {
    const runs: Array<{ id: string; ranAt: number }> = [];
    const tasks = new TaskRegistry().register(
      stamp.name,
      (ctx: TaskContext) => void runs.push({ id: ctx.id, ranAt: Date.now() }),
    );
    const worker = await harness.worker(tasks);
    // As a Python Celery 5.2 client does: the eta only in the header, the message on the task queue.
    const id = randomUUID();
    const eta = new Date(Date.now() + 3_000);
    await publishRaw(harness.queue, encodeTask({ id, name: stamp.name, eta }));
    const sightings = await eventually(async () => {
      const found = (await findInLanes(harness.queue)).filter((s) => s.headers.id === id);
      return found.length > 0 ? found : undefined;
    });
    expect(sightings[0]?.lane).to.match(/^celery_delayed_[01]$/);
    expect(worker.activeCount, 'moved, not held').to.equal(0);
    const run = await eventually(() => runs.find((r) => r.id === id));
    expect(run.ranAt).to.be.at.least(eta.getTime());
  });
});

async function publishRaw(queue: string, { body, properties }: EncodedTask): Promise<void> {
  const model = await connect(BROKER_URL);
  try {
    const channel = await model.createConfirmChannel();
    channel.publish('', queue, body, properties);
    await channel.waitForConfirms();
  } finally {
    await model.close();
  }
}
