/**
 * Mingle between Celeriac workers (reference wave2 §4.4): a worker started after a revoke learns
 * it from the running ones and refuses the task, so a revoke survives a rolling restart; the
 * `hello` a starting worker sends is answered as Celery answers it; and the CLI's
 * `--without-mingle`, and its exit after `control shutdown`. Python peers: interop-inspect.
 */
import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import type { TaskFailedError } from '@celeriac/client';
import { TaskRegistry } from '@celeriac/worker';
import { deleteQueues, eventually, uniqueName } from './support/broker.js';
import { ControlHarness, QUICK } from './support/control-harness.js';
import { controlCall } from './support/pidbox.js';
import { SpawnedCli } from './support/spawned-cli.js';

describe('mingle (a revoke survives a rolling restart)', function () {
  this.timeout(30_000);
  let harness: ControlHarness;
  beforeEach(() => (harness = new ControlHarness('mingle')));
  afterEach(() => harness.release());

  it('a worker started after a revoke learns it from a running worker and refuses the task; without mingle it does not', async () => {
    const calls: string[] = [];
    const tasks = () => new TaskRegistry().register(QUICK, () => calls.push('ran'));
    await harness.worker(tasks(), { mingle: true });
    const id = randomUUID();
    await harness.sharedClient.revoke(id);
    await eventually(async () => ((await harness.ask('revoked')) as string[]).includes(id) || undefined);
    const lonely = uniqueName('inspect-lonely');
    await harness.worker(tasks(), { nodeName: lonely, mingle: false, queues: [harness.extraQueue('lonely')] });
    expect(await harness.ask('revoked', {}, lonely)).to.deep.equal([]);
    const successor = uniqueName('inspect-successor');
    const queue = harness.extraQueue('successor');
    await harness.worker(tasks(), { nodeName: successor, mingle: true, queues: [queue] });
    expect(await harness.ask('revoked', {}, successor)).to.include(id);
    const result = await harness.sharedClient.sendTask(QUICK, [], {}, { taskId: id, queue });
    const error = await result.get({ timeoutMs: 10_000 }).then(
      () => null,
      (e: unknown) => e,
    );
    expect((error as TaskFailedError).state).to.equal('REVOKED');
    expect(calls).to.deep.equal([]);
  });

  it("answers another worker's hello with its revoked ids (float timestamps) and clock, and merges the sender's", async () => {
    await harness.worker(harness.tasks());
    const theirs = randomUUID();
    const reply = (await harness.ask('hello', {
      from_node: 'python@elsewhere',
      revoked: { [theirs]: [Date.now() / 1000 + 0.5, theirs] },
    })) as { revoked: Record<string, [number, string]>; clock: number };
    expect(reply.clock).to.be.a('number');
    expect(reply.revoked[theirs]![1]).to.equal(theirs);
    expect(await harness.ask('revoked')).to.include(theirs);
    expect(await harness.ask('hello', { from_node: harness.nodeName, revoked: {} })).to.equal(null);
  });
});

describe('celeriac worker (CLI) and remote control', function () {
  this.timeout(30_000);
  let cli: SpawnedCli | null = null;
  const queue = uniqueName('inspect-cli');
  afterEach(async () => {
    await cli?.stop();
    cli = null;
  });
  after(() => deleteQueues(queue));

  it('starts without mingle with --without-mingle, and the process ends with 0 after `control shutdown`', async () => {
    const node = uniqueName('inspect-cli-node');
    cli = await SpawnedCli.worker([queue], '--without-mingle', '-n', node);
    expect(cli.logs().some((line) => line.message.startsWith('mingle'))).to.equal(false);
    expect(await controlCall({ method: 'ping', destination: [node] })).to.deep.equal([{ [node]: { ok: 'pong' } }]);
    expect(await controlCall({ method: 'shutdown', destination: [node], timeoutMs: 500 })).to.deep.equal([]);
    expect(await cli.exited).to.deep.equal({ code: 0, signal: null });
  });

  it('mingles at start by default', async () => {
    cli = await SpawnedCli.worker([queue], '-n', uniqueName('inspect-cli-node'));
    expect(cli.logs().some((line) => line.message === 'mingle: searching for neighbors')).to.equal(true);
  });
});
