/**
 * Delays and retries across languages, with the real Python Celery peer (5.2 and 5.6, one per
 * run; support/python-peer.ts): a Python client's countdown reaching a Celeriac worker, and
 * retried messages going from a Python worker to a Celeriac one and back.
 */
import { expect } from 'chai';
import { Client } from '@celeriac/client';
import { TaskRegistry, Worker, type TaskContext } from '@celeriac/worker';
import { BROKER_URL, deleteQueues, eventually, uniqueName } from './support/broker.js';
import { findInLanes } from './support/delay-lanes.js';
import {
  PythonWorker,
  assertPythonCelery,
  peerIsAtLeast,
  sendFromPython,
  type PythonSend,
  type PythonSendOutcome,
} from './support/python-peer.js';

/** What interop.request_info returns (the fields used here). */
interface RequestInfo {
  id: string;
  retries: unknown;
  parent_id: string | null;
  root_id: string;
  types: Record<string, string>;
}

describe('interop: delays and retries between Python Celery and Celeriac', function () {
  this.timeout(60_000);
  const celeriacQueue = uniqueName('interop-delay-ts');
  const pythonQueue = uniqueName('interop-delay-py');
  const replyQueues = new Set<string>();
  const ranHere: Array<{
    name: string;
    id: string;
    retries: number;
    eta: Date | null;
    headers: Readonly<Record<string, unknown>>;
  }> = [];
  let worker: Worker | undefined;
  let python: PythonWorker | undefined;
  let client: Client | undefined;

  function tasks(): TaskRegistry {
    const note = (ctx: TaskContext) =>
      ranHere.push({ name: ctx.name, id: ctx.id, retries: ctx.retries, eta: ctx.eta, headers: ctx.headers });
    return (
      new TaskRegistry()
        .register(
          'ts.later',
          (ctx: TaskContext) => (
            note(ctx),
            { ran_by: 'celeriac', eta: ctx.eta?.toISOString() ?? null, ran_at: new Date().toISOString() }
          ),
        )
        // The Python task of the same name retried into our queue; we run the retry.
        // Called as (queue) or (queue, countdown): the context is always the last parameter.
        .register('interop.retry_to', (...params: unknown[]) => {
          const ctx = params.pop() as TaskContext;
          return (note(ctx), { ran_by: 'celeriac', retries: ctx.retries });
        })
        // Our half of interop.request_info: retry into the Python worker's queue, which runs it.
        .register(
          'interop.request_info',
          (ctx: TaskContext) => (note(ctx), ctx.retry({ queue: pythonQueue, countdownMs: 1_500 })),
        )
    );
  }

  before(async function () {
    await assertPythonCelery();
    worker = new Worker({
      brokerUrl: BROKER_URL,
      tasks: tasks(),
      queues: [celeriacQueue],
      nodeName: uniqueName('node'),
    });
    await worker.start();
    python = await PythonWorker.start(pythonQueue);
    client = new Client({ brokerUrl: BROKER_URL, defaultQueue: celeriacQueue });
  });

  after(async function () {
    await client?.close();
    await worker?.stop({ timeoutMs: 5_000 });
    await python?.stop();
    await deleteQueues(celeriacQueue, pythonQueue, ...replyQueues);
  });

  async function send(send: PythonSend): Promise<PythonSendOutcome> {
    const outcome = await sendFromPython(send);
    if (outcome.reply_to) replyQueues.add(outcome.reply_to);
    return outcome;
  }

  it("moves a Python client's countdown=3 task into the lanes (not held unacked) and runs it after its eta", async function () {
    const sending = send({ name: 'ts.later', queue: celeriacQueue, countdown: 3 });
    const sighting = await eventually(async () => (await findInLanes(celeriacQueue))[0], 10_000);
    expect(sighting.lane).to.match(/^celery_delayed_[01]$/);
    expect(sighting.headers.task).to.equal('ts.later');
    expect(worker!.activeCount, 'the worker holds nothing while the task waits').to.equal(0);
    const outcome = await sending;
    expect(outcome.status, outcome.line).to.equal('SUCCESS');
    const result = outcome.result as { ran_by: string; eta: string; ran_at: string };
    expect(result.ran_by).to.equal('celeriac');
    expect(Date.parse(result.ran_at)).to.be.at.least(Date.parse(result.eta));
  });

  it('runs the retry of a Python task (self.retry(queue=ours)) with retries 1, and the Python caller gets the result', async function () {
    const outcome = await Promise.race([
      send({ name: 'interop.retry_to', queue: pythonQueue, args: [celeriacQueue] }),
      python!.crash(),
    ]);
    expect(outcome.status, `${outcome.line}\n${python!.output.slice(-2000)}`).to.equal('SUCCESS');
    expect(outcome.result).to.deep.equal({ ran_by: 'celeriac', retries: 1 });
    expect(ranHere.find((run) => run.id === outcome.task_id)).to.include({ name: 'interop.retry_to', retries: 1 });
  });

  it("parks a Python worker's delayed retry (countdown=2) in the lanes, then runs it after its eta", async function () {
    const sending = Promise.race([
      send({ name: 'interop.retry_to', queue: pythonQueue, args: [celeriacQueue, 2] }),
      python!.crash(),
    ]);
    const sighting = await eventually(
      async () => (await findInLanes(celeriacQueue)).find((found) => found.headers.task === 'interop.retry_to'),
      10_000,
    );
    expect(sighting.headers.retries, 'the retry, not the first run, waits').to.equal(1);
    const outcome = await sending;
    expect(outcome.status, outcome.line).to.equal('SUCCESS');
    const retried = ranHere.find((run) => run.id === outcome.task_id);
    expect(retried?.eta, 'the retry carries its eta').to.be.instanceOf(Date);
    expect(retried).to.include({ retries: 1 });
  });

  it("carries a custom header through a Python worker's retry only from Celery 5.3 on", async function () {
    const outcome = await Promise.race([
      send({ name: 'interop.retry_to', queue: pythonQueue, args: [celeriacQueue], headers: { x_trace: 'trace-1' } }),
      python!.crash(),
    ]);
    expect(outcome.status, `${outcome.line}\n${python!.output.slice(-2000)}`).to.equal('SUCCESS');
    const retried = ranHere.find((run) => run.id === outcome.task_id);
    expect(retried, 'the retry ran here').to.include({ retries: 1 });
    // The wire differs here: Celery 5.2 builds the retry from known request fields only and drops
    // custom headers; 5.3+ re-sends every unknown request key as a header (Context.headers).
    // Celeriac reads either message; the header is simply there or not.
    if (peerIsAtLeast(5, 3)) expect(retried!.headers).to.include({ x_trace: 'trace-1' });
    else expect(retried!.headers).to.not.have.property('x_trace');
  });

  it('hands a Celeriac retry (ctx.retry({ queue, countdownMs })) to a Python worker, which sees retries == 1', async function () {
    const result = await client!.sendTask<RequestInfo>('interop.request_info', [], {}, { queue: celeriacQueue });
    const info = await Promise.race([result.get({ timeoutMs: 20_000 }), python!.crash()]);
    expect(info).to.include({ id: result.id, retries: 1, parent_id: result.id, root_id: result.id });
    expect(info.types.retries).to.equal('int');
    expect(ranHere.filter((run) => run.id === result.id).map((run) => run.retries)).to.deep.equal([0]);
  });
});
