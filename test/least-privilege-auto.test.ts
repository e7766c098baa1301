/**
 * Least privilege without `declare: false` (the default 'auto'): a worker and a beat under the
 * README's users find out by themselves; a user allowed the shared `celery.pidbox` exchange (so
 * the connect probe passes) but not the task queue falls back at that queue's 403, redoing the
 * work passively with one line; and the CLI's --no-declare and CELERIAC_DECLARE turn declaring off.
 */
import { expect } from 'chai';
import { connect } from 'amqplib';
import { Beat } from '@celeriac/beat';
import { Client } from '@celeriac/client';
import { MemoryScheduleStore, defineTask, type LogLevel, type Logger } from '@celeriac/core';
import { TaskRegistry, Worker } from '@celeriac/worker';
import { eventually } from './support/broker.js';
import { README_NAMES, readmeVhost } from './support/readme-permissions.js';
import { SpawnedCli } from './support/spawned-cli.js';
import { PrivateVhost } from './support/vhost.js';

const { queue: QUEUE, beatGroup: GROUP, node: NODE } = README_NAMES;
const FELL_BACK = 'this broker user may not declare: queues and exchanges are checked, not declared';
const record = defineTask<[string], void>('lp.record');
/** May declare the shared control exchanges, so the probe at connect succeeds, but no queue. */
const PIDBOX_ONLY = {
  configure: '^(celery\\.pidbox|reply\\.celery\\.pidbox)$',
  write: '^(amq\\.default)$',
  read: '^$',
};

interface LogLine {
  level: LogLevel;
  message: string;
  meta: object;
}

/** Keeps every line, with its meta, for the assertions on what a component said. */
function recordingLogger(lines: LogLine[], meta = {}): Logger {
  return {
    log: (level, message, more = {}) => void lines.push({ level, message, meta: { ...meta, ...more } }),
    child: (more) => recordingLogger(lines, { ...meta, ...more }),
  };
}

describe("least privilege in 'auto' mode, and the CLI's declare switches", function () {
  this.timeout(60_000);
  const vhost = new PrivateVhost();
  const ran: string[] = [];
  const closers: Array<() => Promise<unknown>> = [];
  let urls: Record<string, string> = {};

  before(async () => {
    ({ urls } = await readmeVhost(vhost, { 'pidbox-only': PIDBOX_ONLY }));
  });
  after(async () => {
    for (const close of closers.splice(0).reverse()) await close().catch(() => undefined);
    await vhost.delete();
  });

  const fellBack = (lines: LogLine[]) => lines.filter((line) => line.message === FELL_BACK);

  /** The README's worker on the task queue, started by the first test that needs it; its lines. */
  let workerStarted: LogLine[] | null = null;
  async function runningWorker(): Promise<LogLine[]> {
    if (workerStarted) return workerStarted;
    const lines: LogLine[] = [];
    const tasks = new TaskRegistry().register(record, (what) => void ran.push(what));
    const worker = new Worker({
      brokerUrl: urls.worker,
      tasks,
      queues: [QUEUE],
      nodeName: NODE,
      mingle: false,
      resultBackend: null,
      logger: recordingLogger(lines),
    });
    closers.push(() => worker.stop({ timeoutMs: 2000 }));
    await worker.start();
    return (workerStarted = lines);
  }

  it('runs a worker and a beat under the README users with no declare option, each saying once that it checks', async () => {
    const workerLines = await runningWorker();
    const beatLines: LogLine[] = [];
    const schedule = {
      name: 'lp.auto',
      task: record.name,
      args: ['fired'],
      schedule: { kind: 'interval', everyMs: 1000 } as const,
      options: { queue: QUEUE },
    };
    const beat = new Beat({
      brokerUrl: urls.beat,
      beatGroup: GROUP,
      store: new MemoryScheduleStore(),
      schedules: [schedule],
      logger: recordingLogger(beatLines),
    });
    closers.push(() => beat.stop());
    await beat.start();
    await eventually(() => (ran.includes('fired') ? true : undefined), 20_000);
    expect(fellBack(workerLines).length, 'worker').to.be.at.least(1);
    expect(fellBack(beatLines).length, 'beat').to.be.at.least(1);
    // One line per connection (a worker has two, consume and publish), not one per declaration.
    expect(fellBack(workerLines).length, 'worker').to.be.at.most(2);
  });

  it('a user the probe passes but the task queue refuses: the 403 to that queue falls back, the send goes through', async () => {
    const lines: LogLine[] = [];
    const client = new Client({
      brokerUrl: urls['pidbox-only'],
      resultBackend: null,
      defaultQueue: QUEUE,
      logger: recordingLogger(lines),
    });
    closers.push(() => client.close());
    await runningWorker();
    await client.send(record, ['after-403']);
    await eventually(() => (ran.includes('after-403') ? true : undefined), 10_000);
    const [line, ...more] = fellBack(lines);
    expect(more, 'said once').to.deep.equal([]);
    expect(JSON.stringify(line?.meta)).to.match(/ACCESS_REFUSED.*workorders/);
  });

  for (const [label, flags, env] of [
    ['--no-declare', ['--no-declare'], {}],
    ['CELERIAC_DECLARE=false', [], { CELERIAC_DECLARE: 'false' }],
  ] as const) {
    it(`${label}: an administrator's "call" to a queue never applied fails naming it, and declares nothing`, async () => {
      const queue = `${QUEUE}.unapplied-${flags.length}`;
      const call = await SpawnedCli.run(['call', record.name, '--args', '["x"]', '--queue', queue, ...flags], {
        CELERIAC_BROKER: vhost.url,
        ...env,
      });
      expect(call.code).to.not.equal(0);
      expect(call.stderr).to.include(
        `queue '${queue}' does not exist and declare is off: run "celeriac topology apply"`,
      );
      expect((await vhost.queues()).has(queue), 'declared').to.equal(false);
    });
  }

  it('CELERIAC_DECLARE=true: the same call declares the queue (what the two above turn off)', async () => {
    const queue = `${QUEUE}.declared`;
    const call = await SpawnedCli.run(['call', record.name, '--args', '["x"]', '--queue', queue], {
      CELERIAC_BROKER: vhost.url,
      CELERIAC_DECLARE: 'true',
    });
    expect(call.code, call.stderr).to.equal(0);
    expect((await vhost.queues()).has(queue), 'declared').to.equal(true);
  });

  it("refuses the pidbox-only user the task queue's declaration itself (the 403 the fall back met)", async () => {
    const model = await connect(urls['pidbox-only'] ?? '');
    try {
      const channel = await model.createChannel();
      channel.on('error', () => undefined);
      const refused = await channel.assertQueue(QUEUE, { durable: true }).then(
        () => null,
        (e: unknown) => e as { code?: number },
      );
      expect(refused?.code).to.equal(403);
    } finally {
      await model.close().catch(() => undefined);
    }
  });
});
