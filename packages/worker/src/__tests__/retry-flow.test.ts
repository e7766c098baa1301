import { expect } from 'chai';
import type { ConfirmPublisher, Delivery, PublishProperties } from '@celeriac/amqp';
import type { StateUpdate } from '@celeriac/core';
import { decodeTask, encodeTask, fromFieldValue } from '@celeriac/protocol';
import type { DeadLetters } from '../settle/dead-letters.js';
import { DeliveryProcessor } from '../delivery-processor.js';
import { FinishedOutcomes } from '../gates/finished-outcomes.js';
import { Rejector } from '../settle/rejector.js';
import type { Retry } from '../retry/retry-decision.js';
import { RetryPublisher } from '../retry/retry-publisher.js';
import { Slots } from '../execution/slots.js';
import { InlineExecutor } from '../execution/inline-executor.js';
import type { TaskContext } from '../execution/task-context.js';
import { TaskReporter } from '../settle/task-reporter.js';
import { TaskRegistry } from '../task-registry.js';
import { compileWorkerOptions } from '../worker-options.js';
import { fakeJob } from './job-fixture.js';

/** Everything the processor does, in order: stores, republishes, settlements, events. */
function harness(handler: (ctx: TaskContext) => unknown, republishFails = false) {
  const log: string[] = [];
  const stored: StateUpdate[] = [];
  const retries = {
    resend: async (_job: unknown, retry: Retry) => {
      log.push(`republish ${retry.delayMs}`);
      return !republishFails;
    },
  };
  const tasks = new TaskRegistry().register('tasks.x', (ctx: TaskContext) => handler(ctx));
  const options = compileWorkerOptions({ tasks });
  const reporter = new TaskReporter({
    store: async (update) => void (stored.push(update), log.push(`store ${update.state}`)),
  });
  const emit = ((event: string) => log.push(event)) as never;
  const rejector = new Rejector({} as DeadLetters, reporter, emit, options.logger);
  const processor = new DeliveryProcessor({
    options,
    reporter,
    rejector,
    gates: [],
    finished: new FinishedOutcomes(reporter),
    retries,
    executor: new InlineExecutor('n'),
    slots: new Slots(1),
    emit,
    stopping: () => false,
    handBack: async () => undefined,
    running: new Set(),
  });
  const { body, properties } = encodeTask({ id: 'task-1', name: 'tasks.x', replyTo: 'reply-q' });
  const message = {
    content: body,
    properties,
    fields: { redelivered: false, routingKey: 'q', deliveryTag: 1, exchange: '', consumerTag: 'c' },
  };
  const delivery = {
    message,
    queue: 'q',
    ack: () => log.push('ack'),
    requeue: () => log.push('requeue'),
    orphaned: () => false,
  } as unknown as Delivery;
  return { log, stored, run: () => processor.process(delivery) };
}

describe('a retry through the processor', () => {
  it('stores RETRY, republishes, then acks the original', async () => {
    const { log, stored, run } = harness((ctx) => ctx.retry({ countdownMs: 2000, error: new Error('later') }));
    await run();
    expect(log).to.deep.equal([
      'task:reserved',
      'task:received',
      'store RETRY',
      'republish 2000',
      'ack',
      'task:retried',
    ]);
    expect(stored[0]?.result).to.deep.include({ exc_type: 'Error', exc_message: ['later'] });
    expect(stored[0]?.traceback).to.be.a('string');
  });

  it('does not ack the original when the republish failed (it was requeued instead)', async () => {
    const { log, run } = harness((ctx) => ctx.retry({ countdownMs: 0 }), true);
    await run();
    expect(log).to.deep.equal(['task:reserved', 'task:received', 'store RETRY', 'republish 0']);
  });
});

describe('RetryPublisher', () => {
  function publisher(fail = false) {
    const calls: Array<{
      kind: string;
      exchange?: string;
      routingKey?: string;
      properties?: PublishProperties;
      body?: Buffer;
      queue?: string;
    }> = [];
    const fake = {
      ensureQueue: async (spec: { name: string }) => void calls.push({ kind: 'ensureQueue', queue: spec.name }),
      ensureDelayTopology: async (queue: string) => void calls.push({ kind: 'ensureDelayTopology', queue }),
      publish: async (exchange: string, routingKey: string, body: Buffer, properties: PublishProperties) => {
        if (fail) throw new Error('nacked');
        calls.push({ kind: 'publish', exchange, routingKey, body, properties });
      },
    };
    return { calls, fake: fake as unknown as ConfirmPublisher };
  }
  const signal = (delayMs: number, queue: string | null = null) => ({ delayMs, queue, error: undefined }) as Retry;

  it('republishes straight to the queue it came from for a short delay, with retries + 1', async () => {
    const { calls, fake } = publisher();
    const { job, settled } = fakeJob({ expires: new Date(Date.now() + 60_000) });
    expect(await new RetryPublisher(fake, 'celeriac@n', {}).resend(job, signal(0))).to.equal(true);
    expect(calls.map((call) => call.kind)).to.deep.equal(['publish']);
    const [call] = calls;
    expect(call).to.include({ exchange: '', routingKey: 'q' });
    expect(call?.properties?.expiration, 'direct publishes keep the AMQP expiration').to.be.a('string');
    const task = decodeTask({ content: call!.body!, properties: call!.properties! });
    expect(task).to.include({ id: 'task-1', retries: 1, parentId: 'task-1', eta: null, origin: 'celeriac@n' });
    expect(fromFieldValue(call?.properties?.headers?.retries)).to.equal(1);
    expect(settled).to.deep.equal([]);
  });

  it('goes through the lanes for a second or more, to the queue the retry names', async () => {
    const { calls, fake } = publisher();
    await new RetryPublisher(fake, 'n', {}).resend(fakeJob().job, signal(3_500, 'python.q')); // 3 whole seconds in the lanes, the rest held in memory
    expect(calls.map((call) => [call.kind, call.queue ?? call.exchange])).to.deep.equal([
      ['ensureQueue', 'python.q'],
      ['ensureDelayTopology', 'python.q'],
      ['publish', 'celery_delayed_1'],
    ]);
    expect(calls[2]?.routingKey).to.match(/\.1\.1\.python\.q$/);
  });

  it('requeues the original (after a pause) and answers false when the broker refuses', async () => {
    const { fake } = publisher(true);
    const { job, settled } = fakeJob();
    expect(await new RetryPublisher(fake, 'n', {}).resend(job, signal(0))).to.equal(false);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect(settled).to.deep.equal(['requeue']);
  });
});
