/**
 * globalRateLimit across worker processes (issue 14, item 3): two `celeriac worker` processes share
 * one limit through the broker, and when the process that refills the tokens is SIGKILLed the
 * other takes the refiller lock over and starts stay within the rate. Upper bounds only: a slow
 * machine starts fewer tasks, never more.
 */
import { expect } from 'chai';
import { Client } from '@celeriac/client';
import { BROKER_URL, deleteQueues, uniqueName } from './support/broker.js';
import { SpawnedCli, type LogLine } from './support/spawned-cli.js';
import { limited } from './fixtures/rate-limited-tasks.js';

const APP = 'test/dist/fixtures/rate-limited-tasks.js';

const RATE_PER_SECOND = 4;
const leading = (line: LogLine) => line.message === `rate-limit refiller of ${limited.name} is the leader`;

/** The most starts in any window of `ms`. */
function busiestWindow(starts: readonly number[], ms: number): number {
  const sorted = [...starts].sort((a, b) => a - b);
  return Math.max(...sorted.map((at, i) => sorted.filter((other, j) => j >= i && other < at + ms).length));
}

describe('globalRateLimit across worker processes', function () {
  this.timeout(120_000);
  const queue = uniqueName('global-rate');
  const workers: SpawnedCli[] = [];
  let client: Client;
  before(() => (client = new Client({ brokerUrl: BROKER_URL })));
  after(async () => {
    await Promise.all(workers.map((worker) => worker.stop()));
    await client.close();
    await deleteQueues(queue, `celeriac.ratelimit.${limited.name}.tokens`);
  });

  async function run(count: number): Promise<Array<{ pid: number; at: number }>> {
    const sent = await Promise.all(Array.from({ length: count }, () => client.send(limited, [], { queue })));
    return Promise.all(sent.map((result) => result.get({ timeoutMs: 60_000 })));
  }

  it('holds across two processes, and after the refilling process is SIGKILLed', async () => {
    const first = SpawnedCli.start(['worker', '--app', APP, '-Q', queue, '--without-mingle']);
    workers.push(first);
    await first.waitForLog(leading, 20_000);
    const second = SpawnedCli.start(['worker', '--app', APP, '-Q', queue, '--without-mingle']);
    workers.push(second);
    await second.waitForLog((line) => line.message === 'worker ready', 20_000);
    const together = await run(12);
    expect(new Set(together.map((start) => start.pid)).size, 'both processes ran some').to.equal(2);
    // The rate plus the one token the queue may hold.
    expect(
      busiestWindow(
        together.map((start) => start.at),
        1000,
      ),
    ).to.be.at.most(RATE_PER_SECOND + 1);

    await first.stop();
    await second.waitForLog(leading, 20_000);
    const alone = await run(8);
    const pids = new Set(alone.map((start) => start.pid));
    expect(pids.size, 'all on the surviving process').to.equal(1);
    expect(together.map((start) => start.pid)).to.include([...pids][0]);
    expect(
      busiestWindow(
        alone.map((start) => start.at),
        1000,
      ),
    ).to.be.at.most(RATE_PER_SECOND + 1);
  });
});
