/**
 * Canvas interop: chains, callbacks and groups built by the real Python client (test/python/
 * canvas.py) whose steps run on Python and Celeriac workers in turn. A Celeriac worker that
 * finishes a step sends the next exactly as a Celery worker does (app/trace.py), and the other
 * way round. Runs once per peer, Celery 5.2 and 5.6 (support/python-peer.ts).
 */
import { expect } from 'chai';
import { defineTask } from '@celeriac/core';
import { GroupResult, TaskFailedError, chain, group, signature, type Client } from '@celeriac/client';
import { TaskRegistry, type TaskContext } from '@celeriac/worker';
import { TaskHarness } from './support/task-harness.js';
import { PythonWorker, assertPythonCelery, canvasFromPython, type PythonCanvas } from './support/python-peer.js';

const add = defineTask<[x: number, y: number], number>('ts.add');
const mul = defineTask<[x: number, y: number], number>('ts.mul');
const pyAdd = defineTask<[x: number, y: number], number>('interop.add');

class ValueError extends Error {
  override name = 'ValueError';
}

/** What a recording task saw: its positional args and the workflow headers it came with. */
interface Seen {
  args: unknown[];
  id: string;
  parentId: string | null;
  rootId: string;
  group: unknown;
}

describe('interop: canvas between Python and Celeriac workers', function () {
  this.timeout(90_000);
  const harness = new TaskHarness('interop-canvas');
  const pyQueue = harness.extraQueue('interop-canvas-py');
  const seen: Seen[] = [];
  const waiters: Array<(seen: Seen) => void> = [];
  let python: PythonWorker | undefined;
  let client: Client;

  function record(...params: unknown[]): string {
    const ctx = params.pop() as TaskContext;
    const entry = { args: params, id: ctx.id, parentId: ctx.parentId, rootId: ctx.rootId, group: ctx.headers.group };
    seen.push(entry);
    waiters.splice(0).forEach((wake) => wake(entry));
    return 'recorded';
  }

  function nextRecord(): Promise<Seen> {
    return new Promise((resolve) => waiters.push(resolve));
  }

  before(async function () {
    await assertPythonCelery();
    python = await PythonWorker.start(pyQueue);
    const tasks = new TaskRegistry()
      .register(add, (x, y) => x + y)
      .register(mul, (x, y) => x * y)
      .register('ts.fail', (message: unknown) => {
        throw new ValueError(String(message));
      })
      .register('ts.record', record);
    await harness.worker(tasks);
    client = harness.client();
  });

  after(async function () {
    await python?.stop();
    await harness.release();
  });

  const ts = (
    task: string,
    args: unknown[] = [],
    extra: Partial<Record<'link' | 'link_error', PythonCanvas[]>> = {},
  ) => ({
    task,
    args,
    queue: harness.queue,
    ...extra,
  });
  const py = (task: string, args: unknown[] = []) => ({ task, args, queue: pyQueue });

  it('runs a Python chain whose steps alternate between Python and Celeriac workers', async function () {
    const chain = {
      chain: [py('interop.add', [1, 2]), ts('ts.add', [10]), py('interop.add', [100]), ts('ts.mul', [2])],
    };
    const outcome = await canvasFromPython(chain, { queue: pyQueue });
    expect(outcome, python?.output.slice(-3000)).to.include({ status: 'SUCCESS', result: 226 });
    expect(outcome.parents).to.have.length(3);
  });

  it('starts a Python chain on a Celeriac worker and ends it on a Python one', async function () {
    const chain = { chain: [ts('ts.add', [1, 1]), py('interop.add', [5]), ts('ts.add', [7]), py('interop.add', [0])] };
    const outcome = await canvasFromPython(chain, { queue: pyQueue });
    expect(outcome, python?.output.slice(-3000)).to.include({ status: 'SUCCESS', result: 14 });
  });

  it('calls a link callback with the result, as a child of the finished task', async function () {
    const recorded = nextRecord();
    const outcome = await canvasFromPython(ts('ts.add', [20, 22], { link: [ts('ts.record', ['extra'])] }), {
      queue: pyQueue,
    });
    expect(outcome.status).to.equal('SUCCESS');
    const callback = await recorded;
    expect(callback.args).to.deep.equal([42, 'extra']);
    expect(callback.parentId).to.equal(outcome.task_id);
    expect(callback.rootId).to.equal(outcome.task_id);
  });

  it('stops a chain at a failing Celeriac step and calls its link_error with the failed id, as a group', async function () {
    const recorded = nextRecord();
    const failing = ts('ts.fail', [], { link_error: [ts('ts.record', ['errback'])] });
    const chain = { chain: [py('interop.add', [1, 2]), failing, ts('ts.record', ['never'])] };
    const outcome = await canvasFromPython(chain, { queue: pyQueue, wait: false });
    const errback = await recorded;
    // parents: the failing step, then the first one.
    expect(errback.args).to.deep.equal([outcome.parents[0], 'errback']);
    expect(errback.parentId).to.equal(outcome.parents[0]);
    expect(errback.rootId).to.equal(outcome.parents[1]);
    expect(errback.group, 'Celery sends errbacks as a group').to.be.a('string');
    expect(seen.map((entry) => entry.args)).to.not.deep.include([3, 'never']);
  });

  it('calls a Celeriac link_error when a Python step fails', async function () {
    const recorded = nextRecord();
    const failing = { ...py('interop.fail', ['boom']), link_error: [ts('ts.record', ['py-errback'])] };
    const outcome = await canvasFromPython(failing, { queue: pyQueue });
    expect(outcome).to.include({ status: 'FAILURE' });
    expect((await recorded).args).to.deep.equal([outcome.task_id, 'py-errback']);
  });

  it('reads a Python group of Celeriac tasks with GroupResult.get()', async function () {
    const group = { group: [ts('ts.add', [1, 1]), ts('ts.mul', [3, 3]), py('interop.add', [2, 2])] };
    const outcome = await canvasFromPython(group, { queue: pyQueue });
    expect(outcome).to.deep.include({ status: 'SUCCESS', result: [2, 9, 4] });
  });

  it('runs a Python map and starmap of Celeriac tasks on a Celeriac worker (celery.map, celery.starmap)', async function () {
    const starmap = await canvasFromPython({
      starmap: {
        task: 'ts.add',
        items: [
          [1, 2],
          [3, 4],
        ],
        queue: harness.queue,
      },
    });
    expect(starmap, python?.output.slice(-3000)).to.deep.include({ status: 'SUCCESS', result: [3, 7] });
    const map = await canvasFromPython({ map: { task: 'ts.record', items: ['a', 'b'], queue: harness.queue } });
    expect(map).to.deep.include({ status: 'SUCCESS', result: ['recorded', 'recorded'] });
  });

  // Python's own chunks(...).group() cannot be read back: xmap.apply_async drops the frozen
  // task ids (celery/canvas.py _basemap), so its GroupResult waits on ids no task has. Chunks
  // built in TypeScript keep them (below).

  describe('the same canvases built in TypeScript', function () {
    const onPy = (sig: ReturnType<typeof pyAdd.s>) => sig.set({ queue: pyQueue });

    it('runs a chain alternating between Celeriac and Python workers, typed, with parents', async function () {
      const flow = chain(add.s(1, 2), onPy(pyAdd.s(10)), mul.s(2), onPy(pyAdd.s(100)));
      const result = await client.send(flow);
      const value: number = await result.get({ timeoutMs: 20_000 });
      expect(value, python?.output.slice(-3000)).to.equal(126);
      expect(result.parent?.parent?.parent?.id).to.be.a('string');
      expect(await (result.parent as typeof result).get({ timeoutMs: 5000 })).to.equal(26);
    });

    it('reads a group of Celeriac and Python tasks as a GroupResult', async function () {
      const result = await client.send(group(add.s(1, 1), mul.s(3, 3), onPy(pyAdd.s(2, 2))));
      expect(result).to.be.instanceOf(GroupResult);
      const values: [number, number, number] = await result.get({ timeoutMs: 20_000 });
      expect(values).to.deep.equal([2, 9, 4]);
      expect(await result.completedCount()).to.equal(3);
      expect(await result.failed()).to.equal(false);
    });

    it('sends link and linkError as send options; a failed chain calls its errback with the failed id', async function () {
      const recorded = nextRecord();
      const flow = chain(add.s(1, 2), signature<never>('ts.fail'), signature('ts.record', ['never']));
      const result = await client.send(flow, { linkError: signature('ts.record', ['ts-errback']) });
      const errback = await recorded;
      expect(errback.args).to.deep.equal([result.parent?.id, 'ts-errback']);
      const failure = await result.parent!.get({ timeoutMs: 5000 }).catch((error: unknown) => error);
      expect(failure).to.be.instanceOf(TaskFailedError);
    });

    it('sends map, starmap and chunks to Celeriac and Python workers', async function () {
      const onCeleriac = await client.send(
        add.starmap([
          [1, 2],
          [3, 4],
        ]),
      );
      const sums: number[] = await onCeleriac.get({ timeoutMs: 20_000 });
      expect(sums).to.deep.equal([3, 7]);
      const onPython = await client.send(pyAdd.starmap([[5, 5]]).set({ queue: pyQueue }));
      expect(await onPython.get({ timeoutMs: 20_000 })).to.deep.equal([10]);
      const chunked = await client.send(
        mul.chunks(
          [
            [1, 1],
            [2, 2],
            [3, 3],
          ],
          2,
        ),
      );
      const lists: number[][] = await chunked.get({ timeoutMs: 20_000 });
      expect(lists).to.deep.equal([[1, 4], [9]]);
    });

    it('calls a Python link callback from a Celeriac task', async function () {
      const next = nextRecord();
      const linked = await client.send(add, [2, 3], {
        link: chain(onPy(pyAdd.s(10)), signature('ts.record', ['linked'])),
      });
      const recorded = await next;
      expect(await linked.get({ timeoutMs: 5000 })).to.equal(5);
      expect(recorded.args).to.deep.equal([15, 'linked']);
    });
  });
});
