import { expect } from 'chai';
import type { Channel } from 'amqplib';
import { ConfigurationError } from '@celeriac/core';
import {
  compileQueueType,
  conflictError,
  deadLetterQueue,
  declareDelayLanes,
  describeConflict,
  laneQueueArguments,
  taskQueue,
} from '../topology/index.js';

/** The 406 text amqplib gives for a queue a peer declared as quorum (RabbitMQ 3.10). */
const QUORUM_VS_NONE =
  "Operation failed: QueueDeclare; 406 (PRECONDITION-FAILED) with message \"PRECONDITION_FAILED - inequivalent arg 'x-queue-type' for queue 'orders' in vhost '/': received the value 'quorum' of type 'longstr' but current is none\"";

describe('topology: queue types (Celery 5.5 task_default_queue_type)', () => {
  it('declares a classic task queue as Celery does: durable, no arguments at all', () => {
    expect(taskQueue('orders')).to.deep.include({ type: 'classic', durable: true, arguments: {}, exchange: 'orders' });
  });

  it('declares a quorum task queue with exactly {x-queue-type: quorum}, as a Celery 5.6.3 worker does', () => {
    expect(taskQueue('orders', {}, 'quorum')).to.deep.include({
      type: 'quorum',
      durable: true,
      autoDelete: false,
      exclusive: false,
      arguments: { 'x-queue-type': 'quorum' },
    });
    expect(taskQueue('orders', { queueType: 'classic' }, 'quorum').arguments, 'the queue wins').to.deep.equal({});
    expect(taskQueue('orders', { queueType: 'quorum' }).arguments).to.deep.equal({ 'x-queue-type': 'quorum' });
  });

  it('refuses a priority on a quorum queue with one line naming the queue and the settings', () => {
    expect(taskQueue('p', { maxPriority: 10 }).arguments).to.deep.equal({ 'x-max-priority': 10 });
    expect(() => taskQueue('p', { maxPriority: 10 }, 'quorum'))
      .to.throw(ConfigurationError, /queue 'p' is a quorum queue and cannot have maxPriority 10/)
      .with.property('message')
      .that.matches(/--max-priority/)
      .and.not.match(/\n/);
  });

  it('makes celeriac.dead durable, and a quorum queue when the default type is quorum', () => {
    expect(deadLetterQueue()).to.deep.include({ name: 'celeriac.dead', durable: true, arguments: {} });
    expect(deadLetterQueue('quorum')).to.deep.include({ durable: true, arguments: { 'x-queue-type': 'quorum' } });
  });

  it('accepts only classic or quorum', () => {
    expect(compileQueueType(undefined, 'queueType')).to.equal('classic');
    expect(compileQueueType('quorum', 'queueType')).to.equal('quorum');
    expect(() => compileQueueType('stream', 'queueType')).to.throw(ConfigurationError, /queueType must be/);
  });

  it('declares quorum lanes exactly as kombu 5.5/5.6 does, in its order (checked with rabbitmqctl)', () => {
    const args = laneQueueArguments(5, 'quorum');
    expect(args).to.deep.equal({
      'x-queue-type': 'quorum',
      'x-overflow': 'reject-publish',
      'x-message-ttl': 32_000,
      'x-dead-letter-exchange': 'celery_delayed_4',
      'x-dead-letter-strategy': 'at-least-once',
    });
    expect(Object.keys(args)).to.deep.equal([
      'x-queue-type',
      'x-overflow',
      'x-message-ttl',
      'x-dead-letter-exchange',
      'x-dead-letter-strategy',
    ]);
    expect(laneQueueArguments(27, 'quorum')['x-message-ttl']).to.equal(134_217_728_000);
    expect(laneQueueArguments(0, 'quorum')['x-dead-letter-exchange']).to.equal('celery_delayed_delivery');
    expect(laneQueueArguments(3), 'classic lanes unchanged').to.not.have.property('x-dead-letter-strategy');
  });

  it('declares every lane queue with the requested type', async () => {
    const queues: unknown[] = [];
    const noop = async () => undefined;
    const channel = {
      assertExchange: noop,
      bindQueue: noop,
      bindExchange: noop,
      assertQueue: async (_name: string, options: { arguments: Record<string, unknown> }) =>
        void queues.push(options.arguments['x-queue-type']),
    } as unknown as Channel;
    await declareDelayLanes(channel, 'quorum');
    expect(queues).to.have.length(28);
    expect(new Set(queues)).to.deep.equal(new Set(['quorum']));
  });

  it('turns a 406 into one line: the queue, what the broker has, what we declare, the setting', () => {
    expect(describeConflict(new Error(QUORUM_VS_NONE))).to.equal(
      "it has x-queue-type none, Celeriac declares 'quorum'",
    );
    const error = conflictError('orders', new Error(QUORUM_VS_NONE));
    expect(error).to.be.instanceOf(ConfigurationError);
    expect(error.message).to.equal(
      "queue 'orders' already exists with other arguments (it has x-queue-type none, Celeriac declares 'quorum'); set queueType (--queue-type, CELERIAC_QUEUE_TYPE) or maxPriority to match it, or delete the queue",
    );
    expect(describeConflict(new Error('something else'))).to.equal('something else');
  });
});
