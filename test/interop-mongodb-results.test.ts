/**
 * Python and TypeScript share one MongoDB result store (`celery_taskmeta`), both ways, with the
 * Python peer of this run (Celery 5.2 or 5.6; npm test runs the interop files once with each):
 * - Python's `AsyncResult(id).get()` through Celery's own mongodb backend reads what a Celeriac
 *   worker wrote: a nested SUCCESS, a FAILURE with its exception type and traceback, a REVOKED;
 * - a Celeriac client's `get()` and `celeriac result <id> --wait` read what a Python worker wrote;
 * - Celery's index creation and ours coexist on one database in either start order.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { Client, TaskFailedError } from '@celeriac/client';
import { TaskRegistry, Worker } from '@celeriac/worker';
import { BROKER_URL, deleteQueues, uniqueName } from './support/broker.js';
import { runCli } from './support/beat-harness.js';
import { MONGODB_PENDING, MONGODB_URL, dropDatabase, uniqueDatabaseUrl, withMongo } from './support/mongodb.js';
import { PEER_DIR, PEER_ENV, PYTHON, PythonWorker, assertPythonCelery } from './support/python-peer.js';

const run = promisify(execFile);
const NESTED = { order: 5, items: [{ id: 1, tags: ['roof', 'gutter'] }], ok: true, none: null, ratio: 0.25 };

interface PythonRead {
  status: 'SUCCESS' | 'FAILURE' | 'TIMEOUT';
  state?: string;
  result?: unknown;
  exc_type?: string;
  exc_message?: string;
  traceback?: string | null;
}

class InspectionError extends Error {
  override name = 'InspectionError';
}

async function pythonRead(url: string, id: string): Promise<PythonRead> {
  const { stdout } = await run(
    PYTHON,
    [`${PEER_DIR}mongo_results.py`, 'read', '--backend', url, '--id', id, '--timeout', '15'],
    { env: PEER_ENV, timeout: 30_000 },
  );
  return JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as PythonRead;
}

async function pythonIndexes(url: string): Promise<string[]> {
  const { stdout } = await run(PYTHON, [`${PEER_DIR}mongo_results.py`, 'index', '--backend', url], {
    env: PEER_ENV,
    timeout: 30_000,
  });
  return (JSON.parse(stdout) as { indexes: string[] }).indexes;
}

if (MONGODB_URL === null) {
  describe(`interop: one MongoDB result store for Python and Celeriac (pending: ${MONGODB_PENDING})`, () => {
    it('Python reads what Celeriac wrote, Celeriac reads what Python wrote');
  });
} else {
  defineCases(MONGODB_URL);
}

function defineCases(serverUrl: string): void {
  describe('interop: one MongoDB result store for Python and Celeriac', function () {
    this.timeout(60_000);
    const { url, database } = uniqueDatabaseUrl(serverUrl, 'celeriac_interop_results');
    const queue = uniqueName('interop-mongo');
    let worker: Worker | undefined;
    let client: Client | undefined;

    before(async () => {
      await assertPythonCelery();
      const tasks = new TaskRegistry()
        .register<[]>('celeriac.test.mongo_interop.nested', () => NESTED)
        .register<[]>('celeriac.test.mongo_interop.fails', () => {
          throw new InspectionError('roof not reachable');
        })
        .register<[]>('celeriac.test.mongo_interop.slow', () => new Promise((resolve) => setTimeout(resolve, 100)));
      worker = new Worker({
        brokerUrl: BROKER_URL,
        tasks,
        queues: [queue],
        nodeName: uniqueName('node'),
        resultBackend: url,
        concurrency: 1,
      });
      await worker.start();
      client = new Client({ brokerUrl: BROKER_URL, defaultQueue: queue, resultBackend: url });
    });

    after(async () => {
      await worker?.stop({ timeoutMs: 2000 });
      await client?.close();
      await deleteQueues(queue);
      await dropDatabase(url, database);
    });

    it('Python reads a nested SUCCESS a Celeriac worker stored', async () => {
      const sent = await client!.sendTask('celeriac.test.mongo_interop.nested', []);
      await sent.get({ timeoutMs: 10_000 });
      expect(await pythonRead(url, sent.id)).to.deep.include({ status: 'SUCCESS', state: 'SUCCESS', result: NESTED });
    });

    it('Python reads a FAILURE with its exception type, message and traceback', async () => {
      const sent = await client!.sendTask('celeriac.test.mongo_interop.fails', []);
      await sent.get({ timeoutMs: 10_000 }).catch(() => undefined);
      const read = await pythonRead(url, sent.id);
      expect(read).to.include({
        status: 'FAILURE',
        state: 'FAILURE',
        exc_type: 'InspectionError',
        exc_message: 'roof not reachable',
      });
      expect(read.traceback).to.be.a('string').and.include('roof not reachable');
    });

    it('Python reads a REVOKED task as TaskRevokedError', async () => {
      const sent = await client!.sendTask('celeriac.test.mongo_interop.slow', [], {}, { countdown: 3 });
      await client!.revoke(sent.id);
      expect(await pythonRead(url, sent.id)).to.include({
        status: 'FAILURE',
        state: 'REVOKED',
        exc_type: 'TaskRevokedError',
      });
    });

    describe('a Python worker storing into the same database', () => {
      const pyQueue = uniqueName('interop-mongo-py');
      let python: PythonWorker | undefined;

      before(async () => {
        python = await PythonWorker.start(pyQueue, { env: { CELERIAC_TEST_RESULT_BACKEND: url } });
      });

      after(async () => {
        await python?.stop();
        await deleteQueues(pyQueue);
      });

      it('a Celeriac client reads its SUCCESS and its FAILURE', async () => {
        const added = await client!.sendTask<number>('interop.add', [40, 2], {}, { queue: pyQueue });
        expect(await Promise.race([added.get({ timeoutMs: 20_000 }), python!.crash()])).to.equal(42);
        expect(
          await (await client!.result<number>(added.id)).get({ timeoutMs: 5000 }),
          'looked up by id alone',
        ).to.equal(42);
        const failed = await client!.sendTask('interop.fail', ['gutter blocked'], {}, { queue: pyQueue });
        const error = await failed.get({ timeoutMs: 20_000 }).then(
          () => null,
          (thrown: unknown) => thrown,
        );
        expect(error).to.be.instanceOf(TaskFailedError);
        expect((error as TaskFailedError).message).to.include('gutter blocked');
      });

      it('`celeriac result <id> --wait` prints what the Python worker stored', async () => {
        const echoed = await client!.sendTask('interop.echo', [1, 'two'], { three: 3 }, { queue: pyQueue });
        const cli = await runCli(['result', echoed.id, '--wait', '--result-backend', url]);
        expect(cli.code, cli.stderr).to.equal(0);
        expect(cli.stdout).to.include('two');
      });
    });

    it("Celery's own date_done index and ours coexist, whichever comes first", async () => {
      const first = uniqueDatabaseUrl(serverUrl, 'celeriac_interop_pyfirst');
      const second = uniqueDatabaseUrl(serverUrl, 'celeriac_interop_tsfirst');
      const store = (target: string) => storeOne(target);
      try {
        expect(await pythonIndexes(first.url)).to.include('date_done_1');
        await store(first.url);
        await store(second.url);
        expect(await pythonIndexes(second.url)).to.include('date_done_1');
        for (const target of [first, second]) {
          const names = await withMongo(target.url, async (mongo) =>
            (await mongo.db(target.database).collection('celery_taskmeta').indexes()).map((index) => index.name),
          );
          expect(names).to.include('date_done_1');
          expect(await pythonRead(target.url, 'coexist')).to.include({ status: 'SUCCESS', result: 'both' });
        }
      } finally {
        await dropDatabase(first.url, first.database);
        await dropDatabase(second.url, second.database);
      }
    });
  });
}

/** One SUCCESS stored through Celeriac's backend, as a worker would. */
async function storeOne(url: string): Promise<void> {
  const { openMongoResultBackend } = await import('@celeriac/mongodb');
  const backend = openMongoResultBackend(url);
  try {
    await backend.store({
      taskId: 'coexist',
      state: 'SUCCESS',
      result: 'both',
      traceback: null,
      replyTo: null,
      correlationId: 'coexist',
    });
  } finally {
    await backend.close();
  }
}
