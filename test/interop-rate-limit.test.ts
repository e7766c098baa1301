/**
 * Interop: Python Celery's `celery control rate_limit` against a Celeriac worker, over the real
 * broker. The replies must be Celery's own strings (Flower and the CLI print them as they come),
 * and the new limit must apply to the worker's next tasks.
 */
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { Client } from '@celeriac/client';
import { TaskRegistry, Worker } from '@celeriac/worker';
import { BROKER_URL, deleteQueues, uniqueName } from './support/broker.js';
import { PEER_DIR, PEER_ENV, PYTHON, assertPythonCelery } from './support/python-peer.js';

const run = promisify(execFile);

describe('interop: Python `celery control rate_limit` → Celeriac worker', function () {
  this.timeout(60_000);
  const queue = uniqueName('interop-rate');
  const nodeName = uniqueName('interop-rate-node');
  const task = uniqueName('interop-rate.task');
  const starts: number[] = [];
  let worker: Worker;
  let client: Client;

  before(async function () {
    await assertPythonCelery();
    const tasks = new TaskRegistry().register(task, () => void starts.push(Date.now()), { rateLimit: '1/h' });
    worker = new Worker({ brokerUrl: BROKER_URL, tasks, queues: [queue], nodeName, prefetchMultiplier: 10 });
    await worker.start();
    client = new Client({ brokerUrl: BROKER_URL, defaultQueue: queue });
  });

  after(async () => {
    await worker?.stop({ timeoutMs: 2000 });
    await client?.close();
    await deleteQueues(queue);
  });

  /** `celery -A interop_tasks control rate_limit …` aimed at our worker, its JSON reply parsed. */
  async function control(...argv: string[]): Promise<unknown> {
    const args = [
      '-m',
      'celery',
      '-A',
      'interop_tasks',
      'control',
      'rate_limit',
      ...argv,
      '-d',
      nodeName,
      '-j',
      '-t',
      '5',
    ];
    const { stdout } = await run(PYTHON, args, { cwd: PEER_DIR, env: PEER_ENV, timeout: 30_000 });
    // `control -j` prints the list of replies (`inspect -j` merges them into one object).
    return JSON.parse(stdout.trim());
  }

  it("sets a new limit with Celery's reply, and the waiting tasks run under it", async () => {
    const results = [1, 2, 3].map(() => client.sendTask(task, []));
    expect(await control(task, '10/s')).to.deep.equal([{ [nodeName]: { ok: 'new rate limit set successfully' } }]);
    // At one an hour only the first would run; at 10/s all three do, at least 100 ms apart.
    await Promise.all(results.map(async (sent) => (await sent).get({ timeoutMs: 20_000 })));
    expect(starts).to.have.length(3);
    expect(starts[2]! - starts[0]!).to.be.at.least(2 * 90);
  });

  it('answers an unknown task and a bad unit as a Celery worker does', async () => {
    expect(await control('no.such.task', '10/s')).to.deep.equal([{ [nodeName]: { error: 'unknown task' } }]);
    expect(await control(task, '5/d')).to.deep.equal([{ [nodeName]: { error: "KeyError('d')" } }]);
  });
});
