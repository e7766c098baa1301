/**
 * Graceful shutdown of a spawned `celeriac worker`, counting messages afterwards: every task sent
 * has either succeeded or is back in the queue, whether the worker drained in time, hit
 * --shutdown-timeout, or was told twice to stop and exited at once.
 */
import { expect } from 'chai';
import { Client, type AsyncResult } from '@celeriac/client';
import { BROKER_URL, deleteQueues, drainQueue, uniqueName } from './support/broker.js';
import { SpawnedCli } from './support/spawned-cli.js';
import { nap, stubbornNap } from './fixtures/semantics-tasks.js';

describe('graceful shutdown (spawned worker)', function () {
  this.timeout(30_000);
  let queue: string;
  let client: Client;
  let worker: SpawnedCli | undefined;

  beforeEach(function () {
    queue = uniqueName('shutdown');
    client = new Client({ brokerUrl: BROKER_URL, defaultQueue: queue });
  });

  afterEach(async function () {
    await worker?.stop();
    await client.close();
    await deleteQueues(queue);
  });

  /** Ids of the tasks that reported a result, and of those waiting in the queue. */
  async function account(results: AsyncResult<string>[]): Promise<{ succeeded: string[]; queued: string[] }> {
    const outcomes = await Promise.all(
      results.map((result) =>
        result.get({ timeoutMs: 500 }).then(
          () => result.id,
          () => null,
        ),
      ),
    );
    const queued = (await drainQueue(queue)).map((message) => String(message.properties.headers?.id));
    return { succeeded: outcomes.filter((id): id is string => id !== null), queued };
  }

  async function runningTwo(...flags: string[]): Promise<SpawnedCli> {
    worker = await SpawnedCli.worker([queue], '-c', '2', ...flags);
    await worker.waitForLog(() => worker!.logs().filter((line) => line.message === 'task received').length >= 2);
    return worker;
  }

  it('lets running tasks finish on SIGTERM, returns the prefetched rest to the queue, and exits 0', async function () {
    const results = await Promise.all(Array.from({ length: 6 }, () => client.send(nap, [400])));
    const running = await runningTwo();
    const started = running
      .logs()
      .filter((line) => line.message === 'task received')
      .map((line) => String(line.taskId));
    running.child.kill('SIGTERM');
    expect((await running.exited).code, running.stderr).to.equal(0);
    const { succeeded, queued } = await account(results);
    expect(succeeded).to.include.members(started);
    expect([...succeeded, ...queued]).to.have.members(results.map((result) => result.id));
  });

  it('returns tasks still running at --shutdown-timeout to the queue, and exits 0', async function () {
    const results = await Promise.all(Array.from({ length: 3 }, () => client.send(stubbornNap, [20_000])));
    const running = await runningTwo('--shutdown-timeout', '0.3');
    running.child.kill('SIGTERM');
    expect((await running.exited).code, running.stderr).to.equal(0);
    const { succeeded, queued } = await account(results);
    expect(succeeded).to.deep.equal([]);
    expect(queued).to.have.members(results.map((result) => result.id));
  });

  for (const [second, code] of [
    ['SIGTERM', 143],
    ['SIGINT', 130],
  ] as const) {
    it(`exits at once with ${code} on a second signal (${second}), and the broker requeues every unfinished task`, async function () {
      const results = await Promise.all(Array.from({ length: 3 }, () => client.send(stubbornNap, [20_000])));
      const running = await runningTwo();
      running.child.kill('SIGTERM');
      await running.waitForLog((line) => line.message.startsWith('received SIGTERM'));
      running.child.kill(second);
      expect((await running.exited).code, running.stderr).to.equal(code);
      const { succeeded, queued } = await account(results);
      expect(succeeded).to.deep.equal([]);
      expect(queued).to.have.members(results.map((result) => result.id));
    });
  }
});
