import { expect } from 'chai';
import { ConfigurationError, InvalidArgumentError, defineTask } from '@celeriac/core';
import { Client } from '../client.js';

const add = defineTask<[x: number, y: number], number>('tasks.add');

/**
 * Calls that are refused before any connection is made. The broker URL points at a closed
 * port, so reaching the network would fail these tests with BROKER_UNREACHABLE instead.
 */
describe('Client input checks (no broker)', () => {
  const client = new Client({ brokerUrl: 'amqp://guest:guest@127.0.0.1:1//' });
  after(() => client.close());

  async function refusal(call: () => Promise<unknown>): Promise<unknown> {
    return call().then(
      () => expect.fail('the call was accepted'),
      (error: unknown) => error,
    );
  }

  it('refuses an invalid task name with INVALID_ARGUMENT', async () => {
    for (const name of ['', 'has space', '9lives']) {
      expect(await refusal(() => client.sendTask(name)))
        .to.be.instanceOf(InvalidArgumentError)
        .with.property('code', 'INVALID_ARGUMENT');
    }
  });

  it('refuses args that are not an array and kwargs that are not an object', async () => {
    expect(await refusal(() => client.sendTask('tasks.x', 'abc' as unknown as unknown[]))).to.be.instanceOf(
      InvalidArgumentError,
    );
    expect(
      await refusal(() => client.sendTask('tasks.x', [], [] as unknown as Record<string, unknown>)),
    ).to.be.instanceOf(InvalidArgumentError);
    expect(
      await refusal(() => client.sendTask('tasks.x', [], null as unknown as Record<string, unknown>)),
    ).to.be.instanceOf(InvalidArgumentError);
  });

  it('refuses invalid send options before connecting', async () => {
    expect(await refusal(() => client.send(add, [1, 2], { countdown: -1 }))).to.be.instanceOf(InvalidArgumentError);
    expect(await refusal(() => client.send(add, [1, 2], { headers: { id: 'mine' } }))).to.be.instanceOf(
      InvalidArgumentError,
    );
  });

  it('refuses a broker URL that is not AMQP when constructed', () => {
    expect(() => new Client({ brokerUrl: 'http://localhost:15672' })).to.throw(ConfigurationError);
  });

  it('types send() by the contract (checked by tsc when this file compiles)', () => {
    // @ts-expect-error: the contract takes numbers
    void (() => client.send(add, ['1', 2]));
    // @ts-expect-error: and exactly two of them
    void (() => client.send(add, [1]));
    expect(add.name).to.equal('tasks.add');
  });
});
