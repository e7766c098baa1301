/**
 * Issue 19, items 1 and 2: a handler that computes synchronously for longer than the heartbeat
 * interval (here 10 s under a 2 s heartbeat, the 40 s render of the issue under a 10 s one).
 *
 * What shipped before: every handler ran on the inline pool, on the event loop that carries the
 * worker's heartbeats and acks. The broker dropped the blocked worker's connections and delivered
 * the task again; the worker that had run it answered its own redelivery, but any other worker on
 * the queue ran it again (four runs in 100 s with two workers and a 20 s handler), each loss
 * counted towards maxDeliveries, so it could be dead-lettered as MAX_DELIVERIES after succeeding,
 * and the tasks waiting in the blocked worker's prefetch were counted as poison deliveries too.
 *
 * Now a worker that knows its app module (as `celeriac worker --app` does) runs handlers in
 * worker threads by default: the loop stays free, no connection is lost, the task runs once. On
 * the inline pool, chosen explicitly, the loop watchdog logs one error naming the task, how long
 * it blocked and the pool to use, shows the delay in `worker.loopDelay` (the metric), and neither
 * the task's redelivery nor those of the tasks that waited behind it count as poison deliveries:
 * one run each, nothing dead-lettered.
 */
import { expect } from 'chai';
import type { Logger, LogLevel } from '@celeriac/core';
import type { LoopBlockedInfo, Worker } from '@celeriac/worker';
import { takeDeadLetters } from './support/dead-letters.js';
import { TaskHarness, sleep } from './support/task-harness.js';
import tasks, { quick, render } from './fixtures/blocking-tasks.js';

const APP = new URL('./fixtures/blocking-tasks.js', import.meta.url).href;
const HEARTBEAT_S = 2;
/** Five heartbeats: the broker gives up on a silent connection after two. */
const BLOCK_MS = 10_000;

interface Line {
  level: LogLevel;
  message: string;
}

function recording(lines: Line[]): Logger {
  const logger: Logger = { log: (level, message) => void lines.push({ level, message }), child: () => logger };
  return logger;
}

/** What a worker did, from its events. */
function watch(worker: Worker) {
  const seen = { received: [] as string[], lost: 0, blocked: [] as LoopBlockedInfo[] };
  worker.on('task:received', ({ name }) => seen.received.push(name));
  worker.on('connection:lost', () => (seen.lost += 1));
  worker.on('worker:loop-blocked', (info) => seen.blocked.push(info));
  return seen;
}

describe('a synchronous handler that computes for longer than the heartbeat interval', function () {
  this.timeout(90_000);
  let harness: TaskHarness;
  beforeEach(() => (harness = new TaskHarness('blocking')));
  afterEach(() => harness.release());

  it('runs once in a pool thread by default, on a queue two workers share, with no connection lost', async () => {
    const workers = [];
    for (let n = 0; n < 2; n++) {
      const worker = await harness.worker(tasks, { appModule: APP, brokerHeartbeatSeconds: HEARTBEAT_S });
      expect(worker.options.pool, 'the default pool of a worker that knows its app module').to.equal('threads');
      workers.push(watch(worker));
    }
    const result = await harness.client().send(render, [BLOCK_MS]);
    expect(await result.get({ timeoutMs: BLOCK_MS + 30_000 })).to.equal('rendered');
    // Time for a redelivery to show up, had a connection been dropped.
    await sleep(2 * HEARTBEAT_S * 1000);
    expect(workers.flatMap((seen) => seen.received)).to.deep.equal([render.name]);
    expect(workers.map((seen) => seen.lost)).to.deep.equal([0, 0]);
    expect(workers.flatMap((seen) => seen.blocked)).to.deep.equal([]);
    expect(await takeDeadLetters([result.id])).to.deep.equal([]);
  });

  it('on the inline pool: one watchdog error names the task; it and the tasks behind it run once, uncounted, none dead-lettered', async () => {
    const lines: Line[] = [];
    const worker = await harness.worker(tasks, {
      pool: 'inline',
      brokerHeartbeatSeconds: HEARTBEAT_S,
      concurrency: 1,
      maxDeliveries: 2, // one counted loss would dead-letter
      logger: recording(lines),
    });
    const seen = watch(worker);
    const client = harness.client();
    const blocking = await client.send(render, [BLOCK_MS]);
    // Held in the blocked worker's prefetch, or still in the queue, while the render computes.
    const behind = await Promise.all([client.send(quick, [1]), client.send(quick, [2])]);
    expect(await blocking.get({ timeoutMs: BLOCK_MS + 30_000 })).to.equal('rendered');
    expect(await Promise.all(behind.map((result) => result.get({ timeoutMs: 20_000 })))).to.deep.equal([2, 3]);
    await sleep(2 * HEARTBEAT_S * 1000);

    expect(seen.lost, 'the broker dropped the blocked connection (else this test proves nothing)').to.be.above(0);
    expect(
      seen.received.filter((name) => name === render.name),
      'the render ran once',
    ).to.have.length(1);
    expect(
      seen.received.filter((name) => name === quick.name),
      'each task behind it ran once',
    ).to.have.length(2);
    const errors = lines.filter((line) => line.level === 'error' && /blocked the event loop/.test(line.message));
    expect(errors, 'one error for the block').to.have.length(1);
    expect(errors[0]!.message).to.include(`task ${render.name} blocked the event loop for`);
    expect(errors[0]!.message).to.include('cpu: true').and.include('--pool threads');
    expect(seen.blocked.map(({ id, name }) => ({ id, name }))).to.deep.equal([{ id: blocking.id, name: render.name }]);
    expect(seen.blocked[0]!.blockedMs).to.be.at.least(BLOCK_MS * 0.8);
    expect(worker.loopDelay.maxMs, 'the delay metric shows the block').to.be.at.least(BLOCK_MS * 0.8);
    const counted = lines.filter((line) => /counting the delivery|dead-lettering/.test(line.message));
    expect(counted, 'no redelivery was counted as a poison delivery').to.deep.equal([]);
    expect(await takeDeadLetters([blocking.id, ...behind.map((result) => result.id)])).to.deep.equal([]);
  });
});
