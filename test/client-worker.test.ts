import { expect } from 'chai';
import { connect, type GetMessage } from 'amqplib';
import { Client, TaskFailedError, type AsyncResult, type ClientOptions } from '@celeriac/client';
import { defineTask } from '@celeriac/core';
import { TaskRegistry, Worker, type TaskContext, type WorkerOptions } from '@celeriac/worker';
import { BROKER_URL, deleteQueues, drainQueue, eventually, uniqueName } from './support/broker.js';
import { canCloseConnections, closeConnectionsNamed } from './support/connections.js';
import { takeDeadLetter } from './support/dead-letters.js';

const add = defineTask<[x: number, y: number], number>('celeriac.test.add');
const double = defineTask<[value: bigint], bigint>('celeriac.test.double');
const ECHO = 'celeriac.test.echo';

/** A queue of its own, and the clients and workers of one test, all released afterwards. */
class Harness {
  readonly queue = uniqueName('cw');
  readonly #clients: Client[] = [];
  readonly #workers: Worker[] = [];

  client(options: ClientOptions = {}): Client {
    const client = new Client({ brokerUrl: BROKER_URL, defaultQueue: this.queue, ...options });
    this.#clients.push(client);
    return client;
  }

  async worker(tasks: TaskRegistry, options: Partial<WorkerOptions> = {}): Promise<Worker> {
    const worker = new Worker({
      brokerUrl: BROKER_URL,
      tasks,
      queues: [this.queue],
      nodeName: uniqueName('node'),
      ...options,
    });
    this.#workers.push(worker);
    await worker.start();
    return worker;
  }

  async release(): Promise<void> {
    await Promise.all(this.#workers.splice(0).map((worker) => worker.stop({ timeoutMs: 2000 })));
    await Promise.all(this.#clients.splice(0).map((client) => client.close()));
    await deleteQueues(this.queue);
  }
}

/** A promise the test opens when it wants a handler to carry on. */
function gate(): { opened: Promise<void>; open: () => void } {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}

async function failureOf(result: AsyncResult<unknown>): Promise<TaskFailedError> {
  const error = await result.get({ timeoutMs: 10_000 }).then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).to.be.instanceOf(TaskFailedError);
  return error as TaskFailedError;
}

/** Every message in a queue, read without acknowledging, then handed back to the queue. */
async function peekQueue(queue: string): Promise<GetMessage[]> {
  const model = await connect(BROKER_URL);
  try {
    const channel = await model.createChannel();
    const messages: GetMessage[] = [];
    for (let message = await channel.get(queue); message; message = await channel.get(queue)) messages.push(message);
    await channel.close(); // unacknowledged: all go back
    return messages;
  } finally {
    await model.close();
  }
}

async function queueDepth(queue: string): Promise<{ messageCount: number; consumerCount: number }> {
  const model = await connect(BROKER_URL);
  try {
    return await (await model.createChannel()).checkQueue(queue);
  } finally {
    await model.close();
  }
}

describe('client and worker', () => {
  let harness: Harness;
  beforeEach(() => (harness = new Harness()));
  afterEach(() => harness.release());

  describe('sending and results', () => {
    it('sends through a typed contract and gets the typed result', async () => {
      await harness.worker(new TaskRegistry().register(add, async (x, y) => x + y));
      const client = harness.client();
      const result = await client.send(add, [2, 3]);
      const sum: number = await result.get({ timeoutMs: 10_000 });
      expect(sum).to.equal(5);
      // @ts-expect-error: the contract takes two numbers
      void (() => client.send(add, ['2', 3]));
    });

    it('sends by name with kwargs, which the handler reads from its context', async () => {
      const seen: Array<[unknown, Readonly<Record<string, unknown>>]> = [];
      await harness.worker(
        new TaskRegistry().register(
          ECHO,
          (first: unknown, ctx: TaskContext) => (seen.push([first, ctx.kwargs]), { first, kwargs: ctx.kwargs }),
        ),
      );
      const result = await harness
        .client()
        .sendTask(ECHO, ['a'], { tenant: 'acme', nested: { list: [1, null], text: 'żółć' } });
      expect(await result.get({ timeoutMs: 10_000 })).to.deep.equal({
        first: 'a',
        kwargs: { tenant: 'acme', nested: { list: [1, null], text: 'żółć' } },
      });
      expect(seen).to.have.length(1);
    });

    it('keeps big integers exact in args and results', async () => {
      await harness.worker(new TaskRegistry().register(double, (value) => value * 2n));
      const result = await harness.client().send(double, [2n ** 70n]);
      expect(await result.get({ timeoutMs: 10_000 })).to.equal(2n ** 71n);
    });

    it('reports state PENDING before a worker runs the task, then SUCCESS', async () => {
      const client = harness.client();
      const result = await client.send(add, [1, 1]);
      expect(await result.state()).to.equal('PENDING');
      await harness.worker(new TaskRegistry().register(add, (x, y) => x + y));
      expect(await eventually(async () => ((await result.state()) === 'SUCCESS' ? 'SUCCESS' : undefined))).to.equal(
        'SUCCESS',
      );
      expect(await result.get({ timeoutMs: 1000 })).to.equal(2);
    });

    it('writes expires=60 as the AMQP expiration "60000" and a Celery-format expires header', async () => {
      await harness.client().send(add, [1, 2], { expires: 60, countdown: 0 });
      const [message] = await drainQueue(harness.queue);
      expect(message?.properties.expiration).to.equal('60000');
      expect(message?.properties.headers?.expires).to.match(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00$/);
    });
  });

  describe('failures', () => {
    it('turns a thrown error into TaskFailedError with its type, message and traceback', async () => {
      class InvoiceRejected extends Error {
        override name = 'InvoiceRejected';
      }
      await harness.worker(
        new TaskRegistry().register(add, () => {
          throw new InvoiceRejected('amount must be positive');
        }),
      );
      const result = await harness.client().send(add, [1, -1]);
      const error = await failureOf(result);
      expect(error).to.include({
        code: 'TASK_FAILED',
        taskId: result.id,
        state: 'FAILURE',
        excType: 'InvoiceRejected',
        excMessage: 'amount must be positive',
        excModule: 'celeriac',
      });
      expect(error.traceback).to.include('InvoiceRejected: amount must be positive');
      expect(await result.state()).to.equal('FAILURE');
    });

    it('fails a result that cannot be JSON with EncodeError', async () => {
      await harness.worker(
        new TaskRegistry().register(ECHO, () => {
          const circular: Record<string, unknown> = {};
          circular.self = circular;
          return circular;
        }),
      );
      expect(await failureOf(await harness.client().sendTask(ECHO))).to.include({
        excType: 'EncodeError',
        excModule: 'kombu.exceptions',
      });
    });

    it('answers an unregistered task NotRegistered and dead-letters it with NOT_REGISTERED', async () => {
      const worker = await harness.worker(new TaskRegistry().register(add, (x, y) => x + y));
      const client = harness.client();
      const result = await client.sendTask('celeriac.test.unknown', [1]);
      expect(await failureOf(result)).to.include({
        excType: 'NotRegistered',
        excMessage: 'celeriac.test.unknown',
        excModule: 'celery.exceptions',
      });
      const dead = await takeDeadLetter(result.id);
      expect(dead.properties.headers).to.include({
        'x-celeriac-dead-code': 'NOT_REGISTERED',
        'x-celeriac-dead-queue': harness.queue,
        id: result.id,
        task: 'celeriac.test.unknown',
      });
      expect((JSON.parse(dead.content.toString()) as unknown[])[0]).to.deep.equal([1]);
      expect(await (await client.send(add, [1, 2])).get({ timeoutMs: 10_000 })).to.equal(3);
      expect(worker.state).to.equal('RUNNING');
    });
  });

  describe('acknowledgement and concurrency', () => {
    it('has acknowledged the message once the result is out: nothing is left to requeue', async () => {
      const worker = await harness.worker(new TaskRegistry().register(add, (x, y) => x + y));
      expect(await (await harness.client().send(add, [4, 5])).get({ timeoutMs: 10_000 })).to.equal(9);
      await worker.stop();
      // Stopping closed the consuming channel, which would have put an unacked message back.
      expect(await queueDepth(harness.queue)).to.include({ messageCount: 0 });
    });

    it('resolves 200 concurrent sends through one reply queue with one consumer', async () => {
      const client = harness.client();
      const results = await Promise.all(Array.from({ length: 200 }, (_, i) => client.send(add, [i, i])));
      const sent = await peekQueue(harness.queue);
      const replyQueues = [...new Set(sent.map((message) => message.properties.replyTo as string))];
      expect(sent).to.have.length(200);
      expect(replyQueues).to.have.length(1);
      await harness.worker(
        new TaskRegistry().register(add, (x, y) => x + y),
        { concurrency: 16 },
      );
      const values = await Promise.all(results.map((result) => result.get({ timeoutMs: 20_000 })));
      expect(values).to.deep.equal(results.map((_, i) => 2 * i));
      expect(await queueDepth(replyQueues[0] ?? '')).to.include({ consumerCount: 1, messageCount: 0 });
    });

    it('never runs more handlers at once than its concurrency', async () => {
      let running = 0;
      let peak = 0;
      const bothStarted = gate();
      await harness.worker(
        new TaskRegistry().register(add, async (x, y) => {
          running += 1;
          peak = Math.max(peak, running);
          if (running === 2) bothStarted.open();
          await bothStarted.opened; // the first two wait for each other, so they surely overlap
          await new Promise((resolve) => setTimeout(resolve, 20));
          running -= 1;
          return x + y;
        }),
        { concurrency: 2, prefetchMultiplier: 4 },
      );
      const client = harness.client();
      const results = await Promise.all(Array.from({ length: 8 }, (_, i) => client.send(add, [i, 1])));
      expect(await Promise.all(results.map((result) => result.get({ timeoutMs: 10_000 })))).to.deep.equal(
        results.map((_, i) => i + 1),
      );
      expect(peak).to.equal(2);
    });

    it('reports no SUCCESS for ignoreResult, per send or per task', async () => {
      const quiet = defineTask<[], string>('celeriac.test.quiet');
      const ran: string[] = [];
      const tasks = new TaskRegistry()
        .register(add, (x, y, ctx) => (ran.push(ctx.id), x + y))
        .register(quiet, (ctx) => (ran.push(ctx.id), 'quiet'), { ignoreResult: true });
      await harness.worker(tasks, { concurrency: 1, prefetchMultiplier: 1 });
      const client = harness.client();
      const ignoredBySend = await client.send(add, [1, 1], { ignoreResult: true });
      const ignoredByTask = await client.send(quiet, []);
      const marker = await client.send(add, [2, 2]);
      // One at a time, results in order: once the marker's is in, the others' would be too.
      expect(await marker.get({ timeoutMs: 10_000 })).to.equal(4);
      expect(ran).to.deep.equal([ignoredBySend.id, ignoredByTask.id, marker.id]);
      expect(await ignoredBySend.state()).to.equal('PENDING');
      expect(await ignoredByTask.state()).to.equal('PENDING');
    });
  });

  describe('shutdown', () => {
    it('stop() waits for a running task to finish, and its SUCCESS is reported', async () => {
      const release = gate();
      const started = gate();
      const worker = await harness.worker(
        new TaskRegistry().register(add, async (x, y) => (started.open(), await release.opened, x + y)),
      );
      const result = await harness.client().send(add, [20, 22]);
      await started.opened;
      let stopped = false;
      const stopping = worker.stop().then(() => (stopped = true));
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(stopped).to.equal(false);
      expect(worker.state).to.equal('STOPPING');
      release.open();
      await stopping;
      expect(worker.state).to.equal('STOPPED');
      expect(await result.get({ timeoutMs: 10_000 })).to.equal(42);
    });

    it('stop({ timeoutMs }) aborts the task, returns its message to the queue, and another worker runs it', async () => {
      const aborted: unknown[] = [];
      const started = gate();
      const tasks = new TaskRegistry().register(ECHO, async (ctx: TaskContext) => {
        if (ctx.delivery.redelivered) return 'second worker';
        started.open();
        await new Promise((resolve) => ctx.signal.addEventListener('abort', resolve));
        aborted.push(ctx.signal.reason);
        throw new Error('aborted');
      });
      const first = await harness.worker(tasks);
      const result = await harness.client().sendTask(ECHO);
      await started.opened;
      await first.stop({ timeoutMs: 200 });
      expect(aborted).to.have.length(1);
      await harness.worker(tasks);
      // The aborted run must not have reported a FAILURE: the caller sees the rerun's result.
      expect(await result.get({ timeoutMs: 10_000 })).to.equal('second worker');
    });
  });

  describe('broker connection loss', () => {
    it('keeps running tasks after the broker closes both worker connections', async function () {
      if (!(await canCloseConnections())) this.skip(); // needs rabbitmqctl on the broker's machine
      const nodeName = uniqueName('node');
      const worker = await harness.worker(
        new TaskRegistry().register(add, (x, y) => x + y),
        { nodeName },
      );
      const client = harness.client();
      expect(await (await client.send(add, [1, 2])).get({ timeoutMs: 10_000 })).to.equal(3);
      expect(await closeConnectionsNamed(`${nodeName}:consume`, `${nodeName}:publish`)).to.equal(2);
      expect(await (await client.send(add, [3, 4])).get({ timeoutMs: 20_000 })).to.equal(7);
      expect(worker.state).to.equal('RUNNING');
    });
  });
});
