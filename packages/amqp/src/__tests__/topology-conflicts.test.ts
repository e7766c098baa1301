import { expect } from 'chai';
import type { ChannelModel } from 'amqplib';
import { ConfigurationError, silentLogger } from '@celeriac/core';
import { checkQueues, deadLetterQueue, declareLanesAdopting, taskQueue } from '../topology/index.js';

/**
 * A broker that holds queues of a given type: a declaration asking for another `x-queue-type`
 * fails with a 406, as RabbitMQ's does, and each channel is recorded (opened, closed).
 */
function broker(existing: Record<string, 'classic' | 'quorum'>) {
  const channels = { opened: 0, closed: 0 };
  const refuse = (name: string, asked: string) =>
    Object.assign(
      new Error(
        `Operation failed: QueueDeclare; 406 (PRECONDITION-FAILED) with message "PRECONDITION_FAILED - inequivalent arg 'x-queue-type' for queue '${name}' in vhost '/': received ${asked} but current is ${existing[name]}"`,
      ),
      { code: 406 },
    );
  const channel = {
    on: () => undefined,
    close: async () => void channels.closed++,
    assertExchange: async () => undefined,
    bindQueue: async () => undefined,
    bindExchange: async () => undefined,
    assertQueue: async (name: string, options: { arguments: Record<string, unknown> }) => {
      const asked = options.arguments['x-queue-type'] === 'quorum' ? 'quorum' : 'classic';
      if (existing[name] && existing[name] !== asked) throw refuse(name, asked);
    },
  };
  const model = { createChannel: async () => (channels.opened++, channel) } as unknown as ChannelModel;
  return { model, channels };
}

describe('topology: declarations that may conflict', () => {
  it('declares on throwaway channels, closed afterwards, and returns the specs unchanged', async () => {
    const { model, channels } = broker({});
    const specs = [deadLetterQueue('quorum'), taskQueue('a', {}, 'quorum')];
    expect(await checkQueues(model, specs)).to.deep.equal(specs);
    expect(channels.opened).to.equal(channels.closed);
  });

  it('stops with one line naming a task queue of the other type', async () => {
    const { model, channels } = broker({ a: 'classic' });
    const error = await checkQueues(model, [taskQueue('a', {}, 'quorum')]).catch((caught: Error) => caught);
    expect(error).to.be.instanceOf(ConfigurationError);
    expect((error as Error).message).to.match(
      /^queue 'a' already exists with other arguments \(it has x-queue-type classic/,
    );
    expect(channels.opened).to.equal(channels.closed);
  });

  it('uses celeriac.dead as it is when it has the other type', async () => {
    const { model } = broker({ 'celeriac.dead': 'classic' });
    const [dead] = await checkQueues(model, [deadLetterQueue('quorum')], silentLogger);
    expect(dead).to.deep.include({ type: 'classic', arguments: {} });
  });

  it('adopts lanes of the other type and says which type they have', async () => {
    const lanes = Object.fromEntries(Array.from({ length: 28 }, (_, level) => [`celery_delayed_${level}`, 'quorum']));
    const { model } = broker(lanes as Record<string, 'quorum'>);
    expect(await declareLanesAdopting(model, 'classic', silentLogger)).to.equal('quorum');
    expect(await declareLanesAdopting(model, 'quorum', silentLogger)).to.equal('quorum');
  });
});
