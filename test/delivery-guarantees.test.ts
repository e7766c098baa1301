/**
 * Delivery guarantees with real crashes: `celeriac worker` processes run the semantics app and a
 * task that SIGKILLs its own worker. Acks-late (the default) puts the message back and it runs
 * again, until the delivery count reaches --max-deliveries and it is dead-lettered with
 * MAX_DELIVERIES; `acksLate: false` acks first, so the crash loses it instead.
 */
import { expect } from 'chai';
import { connect } from 'amqplib';
import { Client, TaskFailedError } from '@celeriac/client';
import { DELIVERIES_HEADER } from '@celeriac/worker';
import { BROKER_URL, deleteQueues, uniqueName } from './support/broker.js';
import { takeDeadLetter } from './support/dead-letters.js';
import { SpawnedCli } from './support/spawned-cli.js';
import { killProcess, killProcessEarlyAck } from './fixtures/semantics-tasks.js';

const MAX_DELIVERIES = 3;

async function queueDepth(queue: string): Promise<number> {
  const model = await connect(BROKER_URL);
  try {
    return (await (await model.createChannel()).checkQueue(queue)).messageCount;
  } finally {
    await model.close();
  }
}

/** Polls until the worker has died ('crashed') or logged a line matching `message` ('logged'). */
async function crashOrLog(worker: SpawnedCli, message: string): Promise<'crashed' | 'logged'> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    if (worker.logs().some((line) => line.message === message)) return 'logged';
    if (!worker.running) return 'crashed';
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`worker neither crashed nor logged "${message}"\n${worker.stderr}`);
}

describe('delivery guarantees (spawned workers that crash)', function () {
  this.timeout(60_000);
  let queue: string;
  let client: Client;
  let workers: SpawnedCli[];

  beforeEach(function () {
    queue = uniqueName('deliveries');
    client = new Client({ brokerUrl: BROKER_URL, defaultQueue: queue });
    workers = [];
  });

  afterEach(async function () {
    await Promise.all(workers.map((worker) => worker.stop()));
    await client.close();
    await deleteQueues(queue);
  });

  function startWorker(): SpawnedCli {
    const worker = SpawnedCli.start([
      'worker',
      '--app',
      'test/dist/fixtures/semantics-tasks.js',
      '-Q',
      queue,
      '-c',
      '1',
      '--max-deliveries',
      String(MAX_DELIVERIES),
    ]);
    workers.push(worker);
    return worker;
  }

  it('dead-letters a message that keeps killing workers after --max-deliveries deliveries, and tells the caller', async function () {
    const result = await client.send(killProcess, []);
    let crashes = 0;
    // Restart the worker after every crash, as a supervisor would, until it gives up on the message.
    while ((await crashOrLog(startWorker(), 'dead-lettering a poison message')) === 'crashed') {
      crashes += 1;
      expect(crashes, 'the message was never dead-lettered').to.be.at.most(MAX_DELIVERIES + 2);
    }
    expect(crashes).to.equal(MAX_DELIVERIES);
    const dead = await takeDeadLetter(result.id);
    const headers = dead.properties.headers ?? {};
    expect(headers['x-celeriac-dead-code']).to.equal('MAX_DELIVERIES');
    expect(String(headers['x-celeriac-dead-reason'])).to.match(new RegExp(`delivered ${MAX_DELIVERIES} times`));
    expect(headers[DELIVERIES_HEADER]).to.equal(MAX_DELIVERIES - 1);
    expect(headers.task).to.equal(killProcess.name);
    const failure = await result.get({ timeoutMs: 10_000 }).then(
      () => null,
      (error: unknown) => error,
    );
    expect(failure).to.be.instanceOf(TaskFailedError);
    expect((failure as TaskFailedError).excType).to.equal('WorkerLostError');
    expect(await queueDepth(queue)).to.equal(0);
  });

  it('puts an acks-late task back in the queue when its worker dies (at-least-once)', async function () {
    await client.send(killProcess, []);
    expect(await crashOrLog(startWorker(), 'never logged')).to.equal('crashed');
    expect(await queueDepth(queue)).to.equal(1);
  });

  it('loses an acksLate: false task when its worker dies, instead of running it again (at-most-once)', async function () {
    await client.send(killProcessEarlyAck, []);
    expect(await crashOrLog(startWorker(), 'never logged')).to.equal('crashed');
    expect(await queueDepth(queue)).to.equal(0);
  });
});
