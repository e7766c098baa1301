/**
 * Issue 19, item 3: tasks held longer than the broker's consumer timeout, on a RabbitMQ node of
 * the test's own with `consumer_timeout = 3000` (and a channel tick of half a second, so the
 * broker checks it that often; by default it checks once a minute).
 *
 * Without the handover (consumerTimeoutMs: null, what the worker did before): a task running
 * 8 s keeps its delivery unacknowledged, the broker closes the consuming channel after 3 s
 * (PRECONDITION_FAILED "delivery acknowledgement on channel 1 timed out"), and the task waiting
 * behind it in the prefetch goes back to its queue with it.
 *
 * With it (the worker told the broker's value): at four fifths of the timeout the waiting task
 * goes back to its queue and the running one moves to a lease queue of its own; no channel is
 * closed, each task runs once, nothing is left or dead-lettered. A worker SIGKILLed while it
 * holds a lease loses nothing either: the lease ends, the copy goes back to the task's queue and
 * another worker runs it.
 */
import { expect } from 'chai';
import { Client } from '@celeriac/client';
import type { Logger, LogLevel } from '@celeriac/core';
import { Worker } from '@celeriac/worker';
import { eventually, uniqueName } from './support/broker.js';
import { PrivateBroker } from './support/private-broker.js';
import { SEMANTICS_APP, SpawnedCli } from './support/spawned-cli.js';
import tasks, { nap, quick } from './fixtures/blocking-tasks.js';
import { nap as semanticsNap } from './fixtures/semantics-tasks.js';

/** Away from the fault suite's node (5673) and cluster (5781-5783) and the TLS node (5679), which may run meanwhile. */
const PORT = Number(process.env.CELERIAC_TEST_CONSUMER_TIMEOUT_PORT ?? 5677);
const TIMEOUT_MS = 3000;
const TIMED_OUT = /delivery acknowledgement on channel \d+ timed out/;

interface Line {
  level: LogLevel;
  message: string;
  meta: Record<string, unknown>;
}

function recording(lines: Line[]): Logger {
  const logger: Logger = {
    log: (level, message, meta = {}) => void lines.push({ level, message, meta }),
    child: () => logger,
  };
  return logger;
}

describe("tasks held longer than the broker's consumer_timeout (a node with consumer_timeout = 3 s)", function () {
  this.timeout(120_000);
  let broker: PrivateBroker;
  const closers: Array<() => Promise<unknown>> = [];

  before(async () => {
    broker = await PrivateBroker.start(PORT, {
      name: 'celeriac-ctimeout',
      config: [`consumer_timeout = ${TIMEOUT_MS}`],
      rabbit: { channel_tick_interval: 500 },
    });
  });
  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close().catch(() => undefined);
  });
  after(() => broker?.destroy());

  async function worker(queue: string, lines: Line[], consumerTimeoutMs: number | null): Promise<Worker> {
    const started = new Worker({
      brokerUrl: broker.url,
      tasks,
      queues: [queue],
      pool: 'inline',
      concurrency: 1, // the second task waits in the prefetch behind the first
      consumerTimeoutMs,
      mingle: false,
      logger: recording(lines),
      nodeName: uniqueName('ctimeout'),
    });
    await started.start();
    closers.push(() => started.stop({ timeoutMs: 2000 }));
    return started;
  }

  function client(queue: string): Client {
    const made = new Client({ brokerUrl: broker.url, defaultQueue: queue });
    closers.push(() => made.close());
    return made;
  }

  /** Queues on the node whose name starts with `prefix`, with their message counts. */
  async function queues(prefix: string): Promise<string[]> {
    const listed = await broker.ctl(['list_queues', '-q', '--no-table-headers', 'name', 'messages']);
    return listed
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line.startsWith(prefix));
  }

  it('without the handover: the broker closes the channel under the task waiting behind the long one', async () => {
    const queue = uniqueName('ctimeout-before');
    const lines: Line[] = [];
    const ran: string[] = [];
    (await worker(queue, lines, null)).on('task:received', ({ name }) => ran.push(name));
    const sender = client(queue);
    const long = await sender.send(nap, [8000]);
    const behind = await sender.send(quick, [1]);
    await long.get({ timeoutMs: 60_000 });
    expect(await behind.get({ timeoutMs: 20_000 })).to.equal(2);
    const closed = lines.filter(
      (line) => line.message === 'consume channel error' && TIMED_OUT.test(String(line.meta.error)),
    );
    expect(closed.length, 'the broker closed the consuming channel').to.be.at.least(1);
    expect(
      lines.filter((line) => /not started: its channel closed while it waited/.test(line.message)).length,
      'the task behind it went back to its queue with the channel',
    ).to.be.at.least(1);
  });

  it('with it: the waiting task goes back to its queue, the running one to a lease; no channel closed, each runs once', async () => {
    const queue = uniqueName('ctimeout-after');
    const lines: Line[] = [];
    const ran: string[] = [];
    (await worker(queue, lines, TIMEOUT_MS)).on('task:received', ({ name }) => ran.push(name));
    const sender = client(queue);
    const long = await sender.send(nap, [8000]);
    const behind = await sender.send(quick, [1]);
    expect(await long.get({ timeoutMs: 60_000 })).to.have.property('pid', process.pid);
    expect(await behind.get({ timeoutMs: 20_000 })).to.equal(2);

    expect(
      lines.filter((line) => TIMED_OUT.test(String(line.meta.error))),
      'no channel closed',
    ).to.deep.equal([]);
    expect(ran.sort(), 'each task ran once').to.deep.equal([nap.name, quick.name].sort());
    expect(lines.filter((line) => /moved to a lease/.test(line.message))).to.have.length(1);
    expect(lines.filter((line) => /back to its queue/.test(line.message)).length).to.be.at.least(1);
    expect(lines.filter((line) => line.level === 'error').map((line) => line.message)).to.deep.equal([]);
    // The lease went with its task; nothing was dead-lettered.
    await eventually(async () => ((await queues('celeriac.lease.')).length === 0 ? true : undefined));
    expect(await queues('celeriac.dead\t')).to.deep.equal(['celeriac.dead\t0']);
  });

  it('a worker killed while it holds a lease loses nothing: the copy goes back to the queue and another worker runs it', async () => {
    const queue = uniqueName('ctimeout-kill');
    const first = SpawnedCli.start(
      ['worker', '--app', SEMANTICS_APP, '-Q', queue, '--consumer-timeout', String(TIMEOUT_MS / 1000)],
      { CELERIAC_BROKER: broker.url },
    );
    closers.push(async () => first.running && first.child.kill('SIGKILL'));
    await first.waitForLog((line) => line.message === 'worker ready');
    const result = await client(queue).send(semanticsNap, [6000]);
    await first.waitForLog((line) => /moved to a lease/.test(line.message), 20_000);
    first.child.kill('SIGKILL');
    await first.exited;

    const lines: Line[] = [];
    const second = new Worker({
      brokerUrl: broker.url,
      tasks: (await import('./fixtures/semantics-tasks.js')).default,
      queues: [queue],
      consumerTimeoutMs: TIMEOUT_MS,
      mingle: false,
      logger: recording(lines),
      nodeName: uniqueName('ctimeout-second'),
    });
    const redelivered: boolean[] = [];
    second.on('task:received', () => redelivered.push(true));
    await second.start();
    closers.push(() => second.stop({ timeoutMs: 2000 }));
    expect(await result.get({ timeoutMs: 60_000 })).to.equal('slept');
    expect(redelivered, 'the second worker ran it once').to.have.length(1);
    await eventually(async () => ((await queues('celeriac.lease.')).length === 0 ? true : undefined), 60_000);
  });
});
