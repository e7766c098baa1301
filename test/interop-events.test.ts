/**
 * Interop: Python Celery's own monitors read a Celeriac worker's events over the real broker.
 * `celery events --dump` prints its worker and task events, and Celery's Receiver + State (what
 * `celery events` and Flower are built on) see the worker online while it beats and offline
 * after it stops, and its tasks SUCCESS and FAILURE with their result, runtime and exception.
 */
import { expect } from 'chai';
import { Client } from '@celeriac/client';
import { defineTask } from '@celeriac/core';
import { TaskRegistry, Worker } from '@celeriac/worker';
import { BROKER_URL, deleteQueues, uniqueName } from './support/broker.js';
import { PythonProcess, readEventState, type PythonEventState } from './support/python-events.js';
import { assertPythonCelery } from './support/python-peer.js';

const add = defineTask<[x: number, y: number], number>('celeriac.test.interop-events.add');
const fail = defineTask<[message: string], never>('celeriac.test.interop-events.fail');

describe('interop: Celeriac worker events → Python celery events / State', function () {
  this.timeout(90_000);
  const queue = uniqueName('interop-events');
  const nodeName = uniqueName('interop-events-node');
  let state: PythonEventState;
  let dump: PythonProcess;
  let ids: { ok: string; bad: string };

  before(async function () {
    await assertPythonCelery();
    const watcher = PythonProcess.start(['event_state.py', '--node', nodeName, '--tasks', '2', '--timeout', '40']);
    dump = PythonProcess.start(['-m', 'celery', '-A', 'interop_tasks', 'events', '--dump']);
    try {
      await watcher.waitFor(/^ready$/m);
      await dump.waitFor(/Dumping events|evdump/i);
      ids = await runCeleriacWorker(queue, nodeName);
      await watcher.exited();
      state = readEventState(watcher.output);
    } finally {
      await Promise.all([watcher.kill(), dump.kill()]);
      await deleteQueues(queue);
    }
  });

  it('State sees the worker alive while it beats, with its freq, counts and load, and offline after it stops', () => {
    expect(state.seen.types[0]).to.equal('worker-online');
    expect(state.seen.types).to.include('worker-heartbeat');
    expect(state.seen.types.at(-1)).to.equal('worker-offline');
    expect(state.seen.alive_while_online).to.equal(true);
    expect(state.alive_at_end).to.equal(false);
    expect(state.worker).to.include({ hostname: nodeName, freq: 2, processed: 2, active: 0, sw_ident: 'celeriac' });
    expect(state.worker?.loadavg).to.be.an('array').with.length(3);
  });

  it('State has the tasks SUCCESS and FAILURE, with name, args, result, runtime and exception', () => {
    const ok = state.tasks[ids.ok];
    expect(ok).to.include({ state: 'SUCCESS', name: add.name, args: '(2, 3)', kwargs: '{}', result: '5', retries: 0 });
    expect(ok?.runtime).to.be.a('number').and.at.least(0);
    expect(ok?.received).to.be.a('number');
    expect(ok?.started)
      .to.be.a('number')
      .and.at.least(ok?.received as number);
    const bad = state.tasks[ids.bad];
    expect(bad).to.include({ state: 'FAILURE', name: fail.name, exception: "ValueError('no')" });
    expect(bad?.traceback).to.be.a('string');
  });

  it('`celery events --dump` prints the worker and task events', () => {
    const lines = dump.output.split('\n').filter((line) => line.startsWith(`${nodeName} [`));
    // The dumper's words for worker-online, worker-heartbeat and worker-offline.
    const said = (word: string) => lines.find((line) => line.includes(`] ${word}: `));
    expect(said('started'), dump.output.slice(-3000)).to.include('freq=2.0').and.include('sw_ident=celeriac');
    expect(said('heartbeat')).to.include('freq=2.0').and.include('processed=');
    expect(said('shutdown')).to.include('active=0');
    const succeeded = lines.find((line) => line.includes('task succeeded'));
    expect(succeeded).to.include(`${add.name}(${ids.ok}) args=(2, 3) kwargs={}`).and.include('result=5');
    expect(lines.find((line) => line.includes('task failed'))).to.include("exception=ValueError('no')");
  });
});

/** A Celeriac worker with -E: one task succeeds, one fails, then it stops (worker-offline). */
async function runCeleriacWorker(queue: string, nodeName: string): Promise<{ ok: string; bad: string }> {
  const tasks = new TaskRegistry()
    .register(add, (x, y) => x + y)
    .register(fail, (message) => {
      // Python's name, so monitors show the exception as a Python worker's would be.
      throw Object.assign(new Error(message), { name: 'ValueError' });
    });
  const worker = new Worker({ brokerUrl: BROKER_URL, tasks, queues: [queue], nodeName, events: true });
  const client = new Client({ brokerUrl: BROKER_URL, defaultQueue: queue });
  try {
    await worker.start();
    const ok = await client.send(add, [2, 3]);
    const bad = await client.send(fail, ['no']);
    await ok.get({ timeoutMs: 10_000 });
    await bad.get({ timeoutMs: 10_000 }).catch(() => undefined);
    // At least one heartbeat after the tasks, so State saw it alive with them done.
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    return { ok: ok.id, bad: bad.id };
  } finally {
    await worker.stop();
    await client.close();
  }
}
