/**
 * Canvas between Celeriac client and workers only (rpc://): a retried step keeps its place in
 * the chain, a step whose result is ignored still chains, a revoked running step ends it, and a
 * group in the middle of a chain is refused when built.
 */
import { expect } from 'chai';
import { InvalidArgumentError, chain, group, type Client } from '@celeriac/client';
import { defineTask } from '@celeriac/core';
import { TaskRegistry, type TaskContext } from '@celeriac/worker';
import { TaskHarness } from './support/task-harness.js';

const flaky = defineTask<[x: number], number>('canvas.flaky');
const quiet = defineTask<[x: number], number>('canvas.quiet');
const add = defineTask<[x: number, y: number], number>('canvas.add');
const block = defineTask<[], number>('canvas.block');

describe('canvas between Celeriac clients and workers', function () {
  this.timeout(30_000);
  const harness = new TaskHarness('canvas');
  const ran: string[] = [];
  let client: Client;
  let started: Promise<void>;

  before(async function () {
    const tasks = new TaskRegistry()
      .register(flaky, (x, ctx?: TaskContext) => {
        if (ctx && ctx.retries === 0) ctx.retry({ countdownMs: 0 });
        return x * 10;
      })
      .register(quiet, (x) => x + 1, { ignoreResult: true })
      .register(add, (x, y) => (ran.push(`add ${x} ${y}`), x + y))
      .register(
        block,
        (ctx?: TaskContext) =>
          new Promise<number>((_, reject) =>
            ctx?.signal.addEventListener('abort', () => reject(ctx.signal.reason as Error)),
          ),
      );
    const worker = await harness.worker(tasks);
    started = new Promise((resolve) => worker.on('task:received', (info) => info.name === block.name && resolve()));
    client = harness.client();
  });

  after(() => harness.release());

  it('keeps a retried step in its place', async function () {
    const result = await client.send(chain(flaky.s(4), add.s(1)));
    expect(await result.get({ timeoutMs: 10_000 })).to.equal(41);
  });

  it('chains on from a step whose result is ignored', async function () {
    const result = await client.send(chain(quiet.s(1), add.s(100)));
    expect(await result.get({ timeoutMs: 10_000 })).to.equal(102);
  });

  it('ends the chain when its running step is revoked with terminate', async function () {
    const result = await client.send(chain(block.s(), add.s(7)));
    const running = result.parent!;
    await started;
    await client.revoke(running.id, { terminate: true });
    const error = await running.get({ timeoutMs: 10_000 }).catch((thrown: unknown) => thrown);
    expect(error).to.have.property('state', 'REVOKED');
    expect(await result.state()).to.equal('PENDING');
    expect(ran.filter((call) => call.endsWith(' 7'))).to.deep.equal([]);
  });

  it('refuses a group in the middle of a chain when built', function () {
    const middle = group(add.s(1, 1)) as unknown as ReturnType<typeof add.si>;
    expect(() => chain(add.s(1, 2), middle, add.s(1))).to.throw(InvalidArgumentError, /chord/);
  });
});
