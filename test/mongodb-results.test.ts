/**
 * The MongoDB result backend against a real server (CELERIAC_TEST_MONGODB_URL), with a real
 * worker and client on the local RabbitMQ: documents as Celery's mongodb backend writes them
 * (reference §4.4, Celery 5.3.4+), the TTL index, polling waits, ignoreResult and duplicate
 * suppression. Without a server every case is reported pending with the reason.
 */
import { expect } from 'chai';
import { Client, TaskFailedError } from '@celeriac/client';
import { ResultError, defineTask, type Logger } from '@celeriac/core';
import { TaskRegistry, Worker, type WorkerOptions } from '@celeriac/worker';
import { BROKER_URL, deleteQueues, eventually, uniqueName } from './support/broker.js';
import {
  MONGODB_PENDING,
  MONGODB_URL,
  dropDatabase,
  lacking,
  uniqueDatabaseUrl,
  withMongo,
} from './support/mongodb.js';

const CASES = {
  shape:
    'stores SUCCESS as Celery 5.3.4+ does: {_id, status, result: JSON string, traceback, children: [], date_done: Date}',
  failure: 'stores FAILURE with the exception as a JSON string and the traceback, and get() raises it',
  started: 'stores STARTED (date_done null) before running with trackStarted, then the final state',
  ttl: 'creates one TTL index on date_done with expireAfterSeconds = resultExpiresMs / 1000',
  celeryIndex: "leaves room for Python Celery's own create_index('date_done') (no option conflict, error 85)",
  wait: 'get() waits by polling until the worker stores the result, and times out with RESULT_TIMEOUT',
  python: 'reads a document written by Python Celery (5.2.x string date_done) by task id',
  ignore: 'ignoreResult writes nothing',
  duplicate: 'a worker acks a task whose id already SUCCEEDED without running it again, and logs it',
} as const;

const TASK = 'celeriac.test.mongo.task';
const sum = defineTask<[x: number, y: number], { sum: number; items: string[] }>(TASK);
const times6 = defineTask<[x: number], number>(TASK);

if (MONGODB_URL === null) {
  describe(`MongoDB result backend (pending: ${MONGODB_PENDING})`, () => {
    for (const title of Object.values(CASES)) it(title);
  });
} else {
  defineCases(MONGODB_URL);
}

function defineCases(serverUrl: string): void {
  describe('MongoDB result backend (CELERIAC_TEST_MONGODB_URL)', function () {
    this.timeout(30_000);
    const { url, database } = uniqueDatabaseUrl(serverUrl, 'celeriac_results_test');
    let queue = '';
    const workers: Worker[] = [];
    const clients: Client[] = [];

    const taskmeta = (id: string) =>
      withMongo(url, (mongo) =>
        mongo
          .db(database)
          .collection('celery_taskmeta')
          .findOne({ _id: id as never }),
      );
    const client = () => {
      const made = new Client({ brokerUrl: BROKER_URL, defaultQueue: queue, resultBackend: url });
      clients.push(made);
      return made;
    };
    const worker = async (tasks: TaskRegistry, options: Partial<WorkerOptions> = {}) => {
      const made = new Worker({
        brokerUrl: BROKER_URL,
        tasks,
        queues: [queue],
        nodeName: uniqueName('node'),
        resultBackend: url,
        ...options,
      });
      workers.push(made);
      await made.start();
      return made;
    };

    beforeEach(() => {
      queue = uniqueName('mongo');
    });

    afterEach(async () => {
      await Promise.all(workers.splice(0).map((each) => each.stop({ timeoutMs: 2000 })));
      await Promise.all(clients.splice(0).map((each) => each.close()));
      await deleteQueues(queue);
    });

    after(async () => {
      await dropDatabase(url, database);
    });

    it(CASES.shape, async () => {
      await worker(new TaskRegistry().register(sum, (x, y) => ({ sum: x + y, items: ['a'] })));
      const result = await client().sendTask(TASK, [2, 3]);
      expect(await result.get({ timeoutMs: 10_000 })).to.deep.equal({ sum: 5, items: ['a'] });
      const document = await taskmeta(result.id);
      expect(document).to.not.equal(null);
      expect(Object.keys(document!).sort()).to.deep.equal([
        '_id',
        'children',
        'date_done',
        'result',
        'status',
        'traceback',
      ]);
      expect(document).to.deep.include({ _id: result.id, status: 'SUCCESS', traceback: null, children: [] });
      expect(document!.result).to.be.a('string');
      expect(JSON.parse(document!.result as string)).to.deep.equal({ sum: 5, items: ['a'] });
      expect(document!.date_done).to.be.instanceOf(Date);
    });

    it(CASES.failure, async () => {
      await worker(
        new TaskRegistry().register(TASK, () => {
          throw new TypeError('bad input');
        }),
      );
      const result = await client().sendTask(TASK, []);
      const error = await result.get({ timeoutMs: 10_000 }).then(
        () => null,
        (e: unknown) => e,
      );
      expect(error).to.be.instanceOf(TaskFailedError);
      const document = await taskmeta(result.id);
      expect(document).to.deep.include({ status: 'FAILURE' });
      expect(JSON.parse(document!.result as string)).to.deep.include({
        exc_type: 'TypeError',
        exc_message: ['bad input'],
      });
      expect(document!.traceback).to.be.a('string').and.contain('bad input');
      expect(document!.date_done).to.be.instanceOf(Date);
    });

    it(CASES.started, async () => {
      let release!: () => void;
      const released = new Promise<void>((resolve) => (release = resolve));
      await worker(
        new TaskRegistry().register(TASK, async () => (await released, 'done')),
        { trackStarted: true },
      );
      const result = await client().sendTask(TASK, []);
      const started = await eventually(async () =>
        (await taskmeta(result.id))?.status === 'STARTED' ? taskmeta(result.id) : undefined,
      );
      expect(started).to.deep.include({ status: 'STARTED', date_done: null });
      expect(JSON.parse(started!.result as string)).to.have.keys('pid', 'hostname');
      release();
      expect(await result.get({ timeoutMs: 10_000 })).to.equal('done');
      expect(await taskmeta(result.id)).to.deep.include({ status: 'SUCCESS', result: '"done"' });
    });

    // A case the server cannot serve is pending there, with the reason in its title.
    const noTtl = lacking('ttlIndex');
    const needsTtl = (title: string, test: () => Promise<void>) =>
      noTtl ? it(`${title} (pending on this server: ${noTtl})`) : it(title, test);

    needsTtl(CASES.ttl, async () => {
      await worker(
        new TaskRegistry().register(TASK, () => 1),
        { resultExpiresMs: 3_600_000 },
      );
      const sent = await client().sendTask(TASK, []);
      await sent.get({ timeoutMs: 10_000 });
      const indexes = await withMongo(url, (mongo) => mongo.db(database).collection('celery_taskmeta').indexes());
      const ttl = indexes.filter((index) => index.expireAfterSeconds !== undefined);
      expect(ttl).to.have.length(1);
      expect(ttl[0]).to.deep.include({ key: { date_done: -1 }, expireAfterSeconds: 3600 });
    });

    needsTtl(CASES.celeryIndex, async () => {
      await worker(new TaskRegistry().register(TASK, () => 1));
      await (await client().sendTask(TASK, [])).get({ timeoutMs: 10_000 });
      // What pymongo sends for Celery's collection.create_index('date_done', background=True).
      const names = await withMongo(url, async (mongo) => {
        const collection = mongo.db(database).collection('celery_taskmeta');
        await collection.createIndex('date_done', { background: true });
        return (await collection.indexes()).map((index) => index.name);
      });
      expect(names).to.include.members(['date_done_1', 'celeriac_date_done_ttl']);
    });

    it(CASES.wait, async () => {
      const sender = client();
      const result = await sender.sendTask(TASK, [7]);
      expect(await result.state()).to.equal('PENDING');
      const timedOut = await result.get({ timeoutMs: 300 }).then(
        () => null,
        (e: unknown) => e,
      );
      expect(timedOut).to.be.instanceOf(ResultError).with.property('code', 'RESULT_TIMEOUT');
      // The worker comes after the caller started waiting: only polling can see the result.
      const waiting = result.get({ timeoutMs: 15_000 });
      await worker(new TaskRegistry().register(times6, (x) => x * 6));
      expect(await waiting).to.equal(42);
    });

    it(CASES.python, async () => {
      const id = `python-${uniqueName('id')}`;
      await withMongo(url, (mongo) =>
        mongo
          .db(database)
          .collection('celery_taskmeta')
          .insertOne({
            _id: id as never,
            status: 'SUCCESS',
            result: '{"total": 5, "items": [1, 2]}',
            traceback: null,
            children: [],
            date_done: '2024-05-01T12:00:00.762066',
          }),
      );
      const result = await client().result(id);
      expect(await result.state()).to.equal('SUCCESS');
      expect(await result.get({ timeoutMs: 1000 })).to.deep.equal({ total: 5, items: [1, 2] });
    });

    it(CASES.ignore, async () => {
      const succeeded: string[] = [];
      const running = await worker(
        new TaskRegistry().register(TASK, () => 'ignored', { ignoreResult: true }),
        { trackStarted: true },
      );
      running.on('task:succeeded', ({ id }) => void succeeded.push(id));
      const result = await client().sendTask(TASK, []);
      // 'task:succeeded' is emitted after the reporting step, so a written document would be there now.
      await eventually(() => (succeeded.includes(result.id) ? true : undefined));
      expect(await taskmeta(result.id)).to.equal(null);
    });

    it(CASES.duplicate, async () => {
      let runs = 0;
      const lines: string[] = [];
      const logger: Logger = { log: (_level, message) => void lines.push(message), child: () => logger };
      const tasks = new TaskRegistry().register(TASK, () => ++runs);
      const running = await worker(tasks, { logger });
      const sender = client();
      const first = await sender.sendTask(TASK, []);
      expect(await first.get({ timeoutMs: 10_000 })).to.equal(1);
      // The same id again, as a redelivery after a crash or a second beat's fire would bring it.
      await sender.sendTask(TASK, [], {}, { taskId: first.id });
      await eventually(() =>
        lines.some((line) => line.includes('duplicate of a task that already succeeded')) ? true : undefined,
      );
      expect(runs).to.equal(1);
      expect(running.activeCount).to.equal(0);
      expect(await taskmeta(first.id)).to.deep.include({ status: 'SUCCESS', result: '1' });
    });
  });
}
