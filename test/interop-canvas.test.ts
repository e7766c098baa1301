/**
 * Canvas interop: chains, callbacks and groups built by the real Python client (test/python/
 * canvas.py) whose steps run on Python and Celeriac workers in turn. A Celeriac worker that
 * finishes a step sends the next exactly as a Celery worker does (app/trace.py), and the other
 * way round. Runs once per peer, Celery 5.2 and 5.6 (support/python-peer.ts).
 */
import { expect } from 'chai';
import { defineTask } from '@celeriac/core';
import { TaskRegistry, type TaskContext } from '@celeriac/worker';
import { TaskHarness } from './support/task-harness.js';
import { PythonWorker, assertPythonCelery, canvasFromPython, type PythonCanvas } from './support/python-peer.js';

const add = defineTask<[x: number, y: number], number>('ts.add');
const mul = defineTask<[x: number, y: number], number>('ts.mul');

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
});
