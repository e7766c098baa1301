/**
 * Groups and chords over the MongoDB result backend, between Python and Celeriac:
 * - a Celeriac client's group is saved in `celery_groupmeta` (Python's GroupResult.restore reads
 *   it), and a group Python saved is read by `client.groupResult()`;
 * - a Celeriac chord joins by an atomic counter: the header task that completes it sends the body
 *   exactly once; a failing header task fails the chord with a ChordError naming it;
 * - a Python chord joins through `celery.chord_unlock`, sent to its body's queue: a Celeriac
 *   worker serving that queue runs it (Celeriac callback), a Python one runs it for a Celeriac header.
 * Runs once per peer, Celery 5.2 and 5.6.
 */
import { expect } from 'chai';
import { defineTask } from '@celeriac/core';
import { Client, GroupResult, TaskFailedError, chord, group, signature } from '@celeriac/client';
import { TaskRegistry, Worker, type TaskContext } from '@celeriac/worker';
import { BROKER_URL, deleteQueues, uniqueName } from './support/broker.js';
import { MONGODB_PENDING, MONGODB_URL, dropDatabase, uniqueDatabaseUrl } from './support/mongodb.js';
import { PythonWorker, assertPythonCelery, canvasFromPython } from './support/python-peer.js';

const add = defineTask<[x: number, y: number], number>('ts.add');
const total = defineTask<[values: number[]], number>('ts.total');
const fail = defineTask<[message: string], number>('ts.fail');
const pyAdd = defineTask<[x: number, y: number], number>('interop.add');

class ValueError extends Error {
  override name = 'ValueError';
}

if (MONGODB_URL === null) {
  describe(`interop: groups and chords over MongoDB (pending: ${MONGODB_PENDING})`, () => {
    it('joins chords and shares group results between Python and Celeriac');
  });
} else {
  defineCases(MONGODB_URL);
}

function defineCases(serverUrl: string): void {
  describe('interop: groups and chords over MongoDB', function () {
    this.timeout(90_000);
    const { url, database } = uniqueDatabaseUrl(serverUrl, 'celeriac_canvas');
    const queue = uniqueName('canvas-mongo');
    const pyQueue = uniqueName('canvas-mongo-py');
    const env = { CELERIAC_TEST_RESULT_BACKEND: url };
    /** Every call of ts.total, by its task id: a chord body must run once. */
    const totals: string[] = [];
    const workers: Worker[] = [];
    let python: PythonWorker | undefined;
    let client: Client;

    before(async function () {
      await assertPythonCelery();
      python = await PythonWorker.start(pyQueue, { env });
      const tasks = new TaskRegistry()
        .register(add, (x, y) => x + y)
        .register(total, (values, ctx?: TaskContext) => {
          totals.push(ctx?.id ?? '');
          return values.reduce((sum, value) => sum + value, 0);
        })
        .register(fail, (message) => {
          throw new ValueError(message);
        });
      // Two workers of four slots each, so that header tasks finish together.
      for (const _ of [1, 2]) {
        const worker = new Worker({
          brokerUrl: BROKER_URL,
          tasks,
          queues: [queue],
          nodeName: uniqueName('node'),
          resultBackend: url,
          concurrency: 4,
          mingle: false,
        });
        await worker.start();
        workers.push(worker);
      }
      client = new Client({ brokerUrl: BROKER_URL, defaultQueue: queue, resultBackend: url });
    });

    after(async function () {
      await Promise.all(workers.map((worker) => worker.stop({ timeoutMs: 2000 })));
      await client?.close();
      await python?.stop();
      await deleteQueues(queue, pyQueue);
      await dropDatabase(url, database);
    });

    const py = (task: string, args: unknown[]) => ({ task, args, queue: pyQueue });
    const ts = (task: string, args: unknown[]) => ({ task, args, queue });

    it('joins a Celeriac chord of 20 header tasks once, by the atomic counter', async function () {
      const header = group(...Array.from({ length: 20 }, (_, index) => add.s(index, 1)));
      const result = await client.send(chord(header, total.s()));
      const sum: number = await result.get({ timeoutMs: 30_000 });
      expect(sum).to.equal(210);
      expect(totals.filter((id) => id === result.id)).to.have.length(1);
      expect(result.parent).to.be.instanceOf(GroupResult);
    });

    it('fails a Celeriac chord with a ChordError naming the failed header task', async function () {
      const result = await client.send(chord(group(add.s(1, 1), fail.s('roof'), add.s(2, 2)), total.s()));
      const error = await result.get({ timeoutMs: 30_000 }).then(
        () => null,
        (thrown: unknown) => thrown,
      );
      expect(error).to.be.instanceOf(TaskFailedError);
      const failed = (result.parent as GroupResult).results[1]!.id;
      expect(error).to.include({ excType: 'ChordError' });
      expect((error as TaskFailedError).excMessage).to.equal(`Dependency ${failed} raised ValueError('roof')`);
    });

    it('joins a Celeriac chord with a Python callback, by the counter', async function () {
      const body = signature<{ args: unknown[] }>('interop.echo').set({ queue: pyQueue });
      const result = await client.send(chord(group(add.s(1, 2), add.s(3, 4)), body));
      expect(await result.get({ timeoutMs: 30_000 }), python?.output.slice(-3000)).to.deep.include({ args: [[3, 7]] });
    });

    it('joins a Celeriac chord whose header runs on Python workers through celery.chord_unlock', async function () {
      const onPy = pyAdd.s(1, 2).set({ queue: pyQueue });
      const result = await client.send(
        chord(group(onPy, pyAdd.s(3, 4).set({ queue: pyQueue }), add.s(5, 6)), total.s()),
        {
          chordJoin: 'unlock',
        },
      );
      expect(await result.get({ timeoutMs: 30_000 })).to.equal(21);
    });

    it('sends a chord as the next step of a Python chain from a Celeriac worker (a | group | b)', async function () {
      const header = { group: [ts('ts.add', [10]), py('interop.add', [20])] };
      const canvas = { chain: [ts('ts.add', [1, 1]), header, ts('ts.total', [])] };
      const outcome = await canvasFromPython(canvas, { env, queue: pyQueue, timeoutS: 30 });
      expect(outcome, python?.output.slice(-3000)).to.deep.include({ status: 'SUCCESS', result: 34 });
    });

    it('refuses a chord over rpc:// at send time with a clear error', async function () {
      const rpc = new Client({ brokerUrl: BROKER_URL, defaultQueue: queue });
      try {
        const refused = await rpc.send(chord(group(add.s(1, 1)), total.s())).then(
          () => null,
          (error: unknown) => error,
        );
        expect(refused)
          .to.be.instanceOf(Error)
          .with.property('message')
          .that.matches(/rpc:\/\//);
      } finally {
        await rpc.close();
      }
    });

    it('saves a group in celery_groupmeta, which Python restores and reads', async function () {
      const sent = await client.send(group(add.s(1, 2), add.s(3, 4)));
      const read = await canvasFromPython({ restore_group: sent.id }, { env });
      expect(read).to.deep.include({ status: 'SUCCESS', result: [3, 7] });
    });

    it('reads a group that Python saved, with GroupResult.get()', async function () {
      const sent = await canvasFromPython(
        { group: [ts('ts.add', [1, 1]), py('interop.add', [2, 2])] },
        { env, save: true },
      );
      expect(sent.status).to.equal('SUCCESS');
      const restored = await client.groupResult<[number, number]>(sent.task_id);
      expect(await restored?.get({ timeoutMs: 10_000 })).to.deep.equal([2, 4]);
      expect(await restored?.completedCount()).to.equal(2);
    });

    it('runs celery.chord_unlock of a Python chord with a Python header and a Celeriac callback', async function () {
      const canvas = {
        chord: { header: [py('interop.add', [1, 2]), py('interop.add', [3, 4])], body: ts('ts.total', []) },
      };
      const outcome = await canvasFromPython(canvas, { env, queue: pyQueue, timeoutS: 30 });
      expect(outcome, python?.output.slice(-3000)).to.deep.include({ status: 'SUCCESS', result: 10 });
    });

    it('joins a Python chord with a Celeriac header and a Python callback', async function () {
      const canvas = { chord: { header: [ts('ts.add', [1, 2]), ts('ts.add', [3, 4])], body: py('interop.echo', []) } };
      const outcome = await canvasFromPython(canvas, { env, queue: pyQueue, timeoutS: 30 });
      expect(outcome, python?.output.slice(-3000)).to.deep.include({ status: 'SUCCESS' });
      expect(outcome.result).to.deep.include({ args: [[3, 7]] });
    });

    it('fails a Python chord whose Celeriac header task fails with a ChordError, run by a Celeriac chord_unlock', async function () {
      const canvas = { chord: { header: [ts('ts.add', [1, 2]), ts('ts.fail', ['roof'])], body: ts('ts.total', []) } };
      const outcome = await canvasFromPython(canvas, { env, queue: pyQueue, timeoutS: 30 });
      // Python's get() re-raises the header's own error; the body is stored as a ChordError.
      expect(outcome).to.include({ status: 'FAILURE', exc_type: 'ValueError' });
      const body = await client.result(outcome.task_id);
      const error = await body.get({ timeoutMs: 20_000 }).then(
        () => null,
        (thrown: unknown) => thrown,
      );
      expect(error).to.be.instanceOf(TaskFailedError).with.property('excType', 'ChordError');
      expect((error as TaskFailedError).excMessage).to.match(/^Dependency [0-9a-f-]+ raised ValueError\('roof'\)$/);
    });
  });
}
