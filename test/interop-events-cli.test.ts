/**
 * `celeriac events` (issue 14, item 5) on a broker with a Celeriac worker and a Python worker,
 * both with task events on: `--dump` prints each event as one JSON line (both workers' heartbeats
 * and their tasks' succeeded events with runtimes), and the live view lists both workers online
 * and both tasks as SUCCESS.
 */
import { expect } from 'chai';
import { Client } from '@celeriac/client';
import { BROKER_URL, deleteQueues, eventually, uniqueName } from './support/broker.js';
import { assertPythonCelery, PythonWorker, SOLO_POOL } from './support/python-peer.js';
import { SpawnedCli } from './support/spawned-cli.js';

describe('celeriac events with a Celeriac and a Python worker', function () {
  this.timeout(90_000);
  const [ours, theirs] = [uniqueName('events-cli.ts'), uniqueName('events-cli.py')];
  const node = `${uniqueName('events-node')}@host`;
  let worker: SpawnedCli;
  let python: PythonWorker;
  let client: Client;
  const watchers: SpawnedCli[] = [];

  before(async () => {
    await assertPythonCelery();
    worker = await SpawnedCli.worker([ours], '-n', node, '-E');
    // Solo: Celery 5.6's threads pool was seen losing task events sent from its pool threads.
    const workerArgs = [...SOLO_POOL, '-E'];
    python = await PythonWorker.start(theirs, { workerArgs, env: { CELERIAC_PEER_HEARTBEAT: '1' } });
    client = new Client({ brokerUrl: BROKER_URL, resultBackend: null });
  });
  after(async () => {
    for (const watcher of watchers) if (watcher.running) watcher.child.kill('SIGKILL');
    await client?.close();
    await worker?.stop();
    await python?.stop();
    await deleteQueues(ours, theirs);
  });

  /** Starts `celeriac events`, sends a task to each worker, and stops it once `done` says so. */
  async function watch(
    args: string[],
    done: (stdout: string, ids: string[]) => boolean,
  ): Promise<{ stdout: string; ids: string[] }> {
    const watcher = SpawnedCli.start(['events', ...args]);
    watchers.push(watcher);
    await new Promise((resolve) => setTimeout(resolve, 1500)); // its queue is bound before the tasks go
    const ids = [
      (await client.sendTask('sem.nap', [100], {}, { queue: ours })).id,
      (await client.sendTask('interop.add', [2, 3], {}, { queue: theirs })).id,
    ];
    await eventually(() => (done(watcher.stdout, ids) ? true : undefined), 30_000).catch((error: Error) => {
      throw new Error(
        `${error.message}\n--- stdout ---\n${watcher.stdout.slice(-4000)}\n--- stderr ---\n${watcher.stderr.slice(-2000)}`,
      );
    });
    watcher.child.kill('SIGTERM');
    expect((await watcher.exited).code, 'exits 0 on SIGTERM').to.equal(0);
    return { stdout: watcher.stdout, ids };
  }

  it('--dump prints every event as one JSON line: both workers heartbeats and their tasks', async () => {
    const events = (stdout: string) =>
      stdout
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as Record<string, unknown>);
    const beating = (stdout: string) =>
      new Set(
        events(stdout)
          .filter((e) => e.type === 'worker-heartbeat')
          .map((e) => String(e.hostname)),
      );
    const both = (hosts: Set<string>) =>
      hosts.has(node) && [...hosts].some((host) => host.startsWith(`interop-${theirs}@`));
    const succeeded = (stdout: string, ids: string[]) =>
      ids.every((id) => events(stdout).some((e) => e.type === 'task-succeeded' && e.uuid === id)) &&
      both(beating(stdout));
    const { stdout, ids } = await watch(['--dump'], succeeded);
    const all = events(stdout);
    const beats = new Set(all.filter((e) => e.type === 'worker-heartbeat').map((e) => e.hostname));
    expect([...beats]).to.include(node);
    expect(
      [...beats].some((host) => String(host).startsWith(`interop-${theirs}@`)),
      'the Python worker',
    ).to.equal(true);
    for (const id of ids) {
      const done = all.find((e) => e.type === 'task-succeeded' && e.uuid === id);
      expect(done?.runtime, `runtime of ${id}`).to.be.a('number');
    }
  });

  it('the view lists both workers online and both tasks as SUCCESS', async () => {
    const online = (stdout: string) =>
      new RegExp(`${node}\\s+online`).test(stdout) && new RegExp(`interop-${theirs}@\\S+\\s+online`).test(stdout);
    const shows = (stdout: string, ids: string[]) =>
      ids.every((id) => new RegExp(`${id}\\s+\\S+\\s+SUCCESS`).test(stdout)) && online(stdout);
    const { stdout } = await watch(['--interval', '0.3'], shows);
    expect(stdout).to.match(new RegExp(`${node}\\s+online`));
    expect(stdout).to.match(new RegExp(`interop-${theirs}@\\S+\\s+online`));
  });
});
