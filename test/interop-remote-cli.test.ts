/**
 * `celeriac status`, `celeriac inspect` and `celeriac control` (issue 14, item 5) against a
 * Celeriac worker and a Python Celery worker on one broker: both answer, with their own replies
 * (Python's registered tasks, its rate_limit reply), `--json` prints one object per node,
 * `-d` addresses one node only, and no reply within the timeout exits 1 with Celery's words.
 */
import { expect } from 'chai';
import { Client } from '@celeriac/client';
import { BROKER_URL, deleteQueues, eventually, uniqueName } from './support/broker.js';
import { assertPythonCelery, PythonWorker } from './support/python-peer.js';
import { SpawnedCli } from './support/spawned-cli.js';

describe('celeriac status / inspect / control against Celeriac and Python workers', function () {
  this.timeout(90_000);
  const queue = uniqueName('remote-cli');
  const ours = `${uniqueName('celeriac-node')}@host`;
  const pythonQueue = uniqueName('remote-cli-py');
  const theirs = `interop-${pythonQueue}@`;
  let worker: SpawnedCli;
  let python: PythonWorker;

  before(async () => {
    await assertPythonCelery();
    worker = await SpawnedCli.worker([queue], '-n', ours);
    // Its own threads pool (no solo): a solo worker answers no control command while a task runs.
    python = await PythonWorker.start(pythonQueue, { workerArgs: [] });
  });
  after(async () => {
    await worker?.stop();
    await python?.stop();
    await deleteQueues(queue, pythonQueue);
  });

  const cli = (...args: string[]) => SpawnedCli.run(args);
  const pythonNode = (replies: Record<string, unknown>) => Object.keys(replies).find((node) => node.startsWith(theirs));

  it('status lists both workers', async () => {
    const status = await cli('status', '--timeout', '2');
    expect(status.code, status.stderr).to.equal(0);
    expect(status.stdout).to.include(`${ours}: OK`);
    expect(status.stdout).to.match(new RegExp(`${theirs}\\S+: OK`));
    expect(status.stdout).to.match(/\d+ nodes online\.\n$/);
  });

  it('inspect registered --json answers for each node, with its own tasks', async () => {
    const run = await cli('inspect', 'registered', '--json', '--timeout', '2');
    expect(run.code, run.stderr).to.equal(0);
    const replies = JSON.parse(run.stdout) as Record<string, string[]>;
    expect(replies[ours]).to.include('sem.nap');
    const node = pythonNode(replies);
    expect(node, 'the Python worker answered').to.be.a('string');
    expect(replies[node ?? '']).to.include('interop.add');
  });

  it('inspect active --json lists the task each worker runs now, under its node', async () => {
    const client = new Client({ brokerUrl: BROKER_URL, resultBackend: null });
    try {
      const ourTask = await client.sendTask('sem.nap', [20_000], {}, { queue });
      const theirTask = await client.sendTask('interop.sleep', [20], {}, { queue: pythonQueue });
      let last = '';
      const running = await eventually(async () => {
        const run = await cli('inspect', 'active', '--json', '--timeout', '2');
        last = `${run.stdout}${run.stderr}`;
        const replies = JSON.parse(run.stdout || '{}') as Record<string, Array<{ id: string; name: string }>>;
        const ids = Object.values(replies)
          .flat()
          .map((task) => task.id);
        return ids.includes(ourTask.id) && ids.includes(theirTask.id) ? replies : undefined;
      }, 18_000).catch((error: Error) => {
        throw new Error(`${error.message}; last reply: ${last.slice(-3000)}\n${worker.stderr.slice(-3000)}`);
      });
      expect(running[ours]?.map((task) => task.name)).to.include('sem.nap');
      expect(running[pythonNode(running) ?? '']?.find((task) => task.id === theirTask.id)?.name).to.equal(
        'interop.sleep',
      );
      await client.revoke(ourTask.id, { terminate: true }); // the Python one ends at the worker's stop
    } finally {
      await client.close();
    }
  });

  it('control rate_limit -d reaches only the named node and prints its reply', async () => {
    const status = JSON.parse((await cli('status', '--json', '--timeout', '2')).stdout) as Record<string, unknown>;
    const node = pythonNode(status) ?? '';
    const run = await cli('control', 'rate_limit', 'interop.add', '10/s', '-d', node, '--json');
    expect(run.code, run.stderr).to.equal(0);
    expect(JSON.parse(run.stdout)).to.deep.equal({ [node]: { ok: 'new rate limit set successfully' } });
    const human = await cli('control', 'rate_limit', 'sem.nap', '5/s', '-d', ours);
    expect(human.stdout).to.equal(`-> ${ours}: OK\n    new rate limit set successfully\n`);
  });

  it('says no node replied, exit 1, when the destination does not exist; refuses an unknown command', async () => {
    const run = await cli('inspect', 'ping', '-d', 'nobody@nowhere', '--timeout', '0.5');
    expect(run.code).to.equal(1);
    expect(run.stderr).to.include('No nodes replied within time constraint');
    const unknown = await cli('inspect', 'no_such_thing');
    expect(unknown.code).to.equal(2);
    expect(unknown.stderr).to.include('unknown command "no_such_thing"');
  });
});
