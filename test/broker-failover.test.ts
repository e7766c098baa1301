/**
 * Several brokers (issue 13, item 3): client, worker and beat given a list whose first URL points
 * at a closed port connect to the next one, and after the broker closes a connection they come
 * back through the list. The logs name the node of each attempt, password redacted.
 */
import { expect } from 'chai';
import { createServer, type Server } from 'node:net';
import { AmqpConnection } from '@celeriac/amqp';
import { Beat } from '@celeriac/beat';
import { Client } from '@celeriac/client';
import { MemoryScheduleStore, defineTask, redactUrl, type Logger, type LogMeta } from '@celeriac/core';
import { TaskRegistry, Worker } from '@celeriac/worker';
import { BEAT_GROUP, BROKER_URL, deleteQueues, eventually, uniqueName } from './support/broker.js';
import { canCloseConnections, closeConnectionsNamed } from './support/connections.js';

const add = defineTask<[x: number, y: number], number>('celeriac.test.failover.add');
const TICK = 'celeriac.test.failover.tick';

/** A port nothing listens on: bound by the OS for a moment, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/** A node that accepts TCP connections and never says a word, as one behind a partition. */
async function silentNode(): Promise<{ server: Server; port: number }> {
  const server = createServer(() => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return { server, port: address.port };
}

interface Line {
  level: string;
  message: string;
  meta: LogMeta;
}

function recordingLogger(lines: Line[], bound: LogMeta = {}): Logger {
  return {
    log: (level, message, meta = {}) => void lines.push({ level, message, meta: { ...bound, ...meta } }),
    child: (meta) => recordingLogger(lines, { ...bound, ...meta }),
  };
}

describe('several brokers', function () {
  this.timeout(60_000);
  let dead: string;
  let queue: string;
  let lines: Line[];
  const closers: Array<() => Promise<void>> = [];

  beforeEach(async () => {
    dead = `amqp://guest:secret@127.0.0.1:${await closedPort()}//`;
    queue = uniqueName('failover');
    lines = [];
  });

  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close();
    await deleteQueues(queue);
  });

  async function startWorker(nodeName: string, ticks: string[]): Promise<Worker> {
    const tasks = new TaskRegistry()
      .register(add, (x, y) => x + y)
      .register<[]>(TICK, (ctx) => void ticks.push(ctx.id));
    const worker = new Worker({
      brokerUrl: [dead, BROKER_URL],
      tasks,
      queues: [queue],
      nodeName,
      logger: recordingLogger(lines),
    });
    await worker.start();
    closers.push(() => worker.stop({ timeoutMs: 2000 }));
    return worker;
  }

  function startClient(): Client {
    const client = new Client({ brokerUrl: `${dead};${BROKER_URL}`, defaultQueue: queue });
    closers.push(() => client.close());
    return client;
  }

  it('connects client, worker and beat to the first broker that answers', async () => {
    const ticks: string[] = [];
    await startWorker(uniqueName('node'), ticks);
    const client = startClient();
    expect(await (await client.send(add, [2, 3])).get({ timeoutMs: 10_000 })).to.equal(5);

    const beat = new Beat({
      brokerUrl: `${dead};${BROKER_URL}`,
      store: new MemoryScheduleStore(),
      beatGroup: BEAT_GROUP,
      schedules: [
        { name: uniqueName('tick'), task: TICK, schedule: { kind: 'interval', everyMs: 1000 }, options: { queue } },
      ],
    });
    await beat.start();
    closers.push(() => beat.stop());
    await eventually(() => (ticks.length > 0 ? true : undefined), 15_000);

    const nodes = lines.filter((line) => line.message === 'connected').map((line) => line.meta.broker);
    expect(nodes).to.include(redactUrl(BROKER_URL)).and.not.include(redactUrl(dead));
    const failed = lines.filter((line) => line.message === 'reconnect attempt failed');
    expect(failed.map((line) => line.meta.broker)).to.include(redactUrl(dead));
    expect(JSON.stringify(lines)).to.not.include('secret');
  });

  it('reconnects through the list after the broker closes the connection', async function () {
    if (!(await canCloseConnections())) this.skip(); // needs rabbitmqctl on the broker's machine
    const nodeName = uniqueName('node');
    await startWorker(nodeName, []);
    const client = startClient();
    expect(await (await client.send(add, [1, 2])).get({ timeoutMs: 10_000 })).to.equal(3);
    const before = lines.filter((line) => line.message === 'connected').length;

    expect(await closeConnectionsNamed(`${nodeName}:consume`, `${nodeName}:publish`)).to.equal(2);
    expect(await (await client.send(add, [3, 4])).get({ timeoutMs: 20_000 })).to.equal(7);

    const lost = lines.filter((line) => line.message === 'connection lost; reconnecting');
    expect(lost.map((line) => line.meta.broker)).to.include(redactUrl(BROKER_URL));
    await eventually(() => (lines.filter((l) => l.message === 'connected').length >= before + 2 ? true : undefined));
  });

  it('moves on from a node that accepts but never answers after the connect timeout', async () => {
    const { server, port } = await silentNode();
    closers.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
    server.on('connection', (socket) => closers.push(async () => void socket.destroy()));
    const started = Date.now();
    const connection = await AmqpConnection.open({
      url: [`amqp://guest:guest@127.0.0.1:${port}//`, BROKER_URL],
      name: uniqueName('silent'),
      connectTimeoutMs: 1000,
      logger: recordingLogger(lines),
    });
    closers.push(() => connection.close());
    expect(connection.connected).to.equal(true);
    expect(Date.now() - started).to.be.within(900, 8000);
    const failed = lines.filter((line) => line.message === 'reconnect attempt failed');
    expect(failed.map((line) => line.meta.error)).to.include('connect ETIMEDOUT');
  });
});
