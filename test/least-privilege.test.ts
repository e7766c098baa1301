/**
 * Least privilege (issue 18, item 4): `celeriac topology apply` declares an application's queues
 * and exchanges once as an administrator; then a producer, a worker and a beat run end to end
 * with `declare: false` under users holding only the permissions README "Least privilege" gives
 * each role (read from its table), and the producer's user can neither consume nor delete the task queue.
 */
import { expect } from 'chai';
import { connect } from 'amqplib';
import { Beat } from '@celeriac/beat';
import { Client } from '@celeriac/client';
import { MemoryScheduleStore, defineTask } from '@celeriac/core';
import { TaskRegistry, Worker } from '@celeriac/worker';
import { eventually } from './support/broker.js';
import { README_NAMES, readmeVhost } from './support/readme-permissions.js';
import { PrivateVhost } from './support/vhost.js';

const { queue: QUEUE, beatGroup: GROUP, node: NODE } = README_NAMES;
const record = defineTask<[string], void>('lp.record');

describe('least privilege: topology apply, then components under narrow users with declare off', function () {
  this.timeout(60_000);
  const vhost = new PrivateVhost();
  const ran: string[] = [];
  const closers: Array<() => Promise<unknown>> = [];
  let urls: Record<string, string> = {};

  before(async () => {
    let applied: string;
    ({ urls, applied } = await readmeVhost(vhost));
    expect(applied).to.include(`queue ${QUEUE} (classic)`);
  });
  after(async () => {
    for (const close of closers.splice(0).reverse()) await close().catch(() => undefined);
    await vhost.delete();
  });

  it('runs a producer, a worker and a beat end to end', async () => {
    const tasks = new TaskRegistry().register(record, (what) => void ran.push(what));
    const worker = new Worker({
      brokerUrl: urls.worker,
      declare: false,
      tasks,
      queues: [QUEUE],
      nodeName: NODE,
      mingle: false,
      resultBackend: null,
    });
    closers.push(() => worker.stop({ timeoutMs: 2000 }));
    await worker.start();
    const producer = new Client({ brokerUrl: urls.producer, declare: false, resultBackend: null, defaultQueue: QUEUE });
    closers.push(() => producer.close());
    await producer.send(record, ['sent']);
    await producer.send(record, ['delayed'], { countdown: 1 });
    const schedule = {
      name: 'lp.every-second',
      task: record.name,
      args: ['fired'],
      schedule: { kind: 'interval', everyMs: 1000 } as const,
      options: { queue: QUEUE },
    };
    const beat = new Beat({
      brokerUrl: urls.beat,
      declare: false,
      beatGroup: GROUP,
      store: new MemoryScheduleStore(),
      schedules: [schedule],
    });
    closers.push(() => beat.stop());
    await beat.start();
    await eventually(
      () => (['sent', 'delayed', 'fired'].every((what) => ran.includes(what)) ? true : undefined),
      20_000,
    );
  });

  it('finds out by itself, without declare: false, that a narrow user may only check', async () => {
    const producer = new Client({ brokerUrl: urls.producer, resultBackend: null, defaultQueue: QUEUE });
    closers.push(() => producer.close());
    const before = ran.length;
    await producer.send(record, ['auto']);
    await eventually(() => (ran.slice(before).includes('auto') ? true : undefined), 10_000);
  });

  it("refuses the producer's user to consume or delete the task queue", async () => {
    const model = await connect(urls.producer ?? '');
    try {
      const consume = await model.createChannel();
      consume.on('error', () => undefined);
      const consumeError = await consume
        .consume(QUEUE, () => undefined)
        .then(
          () => null,
          (e: unknown) => e as { code?: number },
        );
      expect(consumeError?.code, 'consume').to.equal(403);
      const remove = await model.createChannel();
      remove.on('error', () => undefined);
      const deleteError = await remove.deleteQueue(QUEUE).then(
        () => null,
        (e: unknown) => e as { code?: number },
      );
      expect(deleteError?.code, 'delete').to.equal(403);
    } finally {
      await model.close().catch(() => undefined);
    }
  });

  it('says which entity is missing when nothing was applied, instead of declaring it', async () => {
    const client = new Client({ brokerUrl: urls.producer, declare: false, resultBackend: null });
    closers.push(() => client.close());
    const error = await client.send(record, ['x'], { queue: 'workorders.not-applied' }).then(
      () => null,
      (e: unknown) => e as Error,
    );
    expect(error?.message).to.match(
      /queue 'workorders\.not-applied' does not exist and declare is off: run "celeriac topology apply"/,
    );
  });
});
