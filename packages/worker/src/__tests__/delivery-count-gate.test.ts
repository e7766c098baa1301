import { expect } from 'chai';
import type { Delivery } from '@celeriac/amqp';
import { silentLogger } from '@celeriac/core';
import { decodeTask, encodeTask } from '@celeriac/protocol';
import { DELIVERIES_HEADER, INTERRUPTED_HEADER, readDeliveries } from '@celeriac/protocol';
import { DeliveryCountGate } from '../gates/delivery-count-gate.js';
import type { DeadLetterReason } from '../settle/dead-letters.js';
import type { Job } from '../job.js';
import { TaskRegistry } from '../task-registry.js';
import { TaskAbort } from '../execution/task-abort.js';

interface Published {
  routingKey: string;
  headers: Record<string, unknown>;
  priority: unknown;
}

/** A gate with recording fakes for the publisher, the rejector and the reporter. */
function harness(maxDeliveries = 3, failPublish = false, quorum = false) {
  const log: string[] = [];
  const published: Published[] = [];
  const reasons: DeadLetterReason[] = [];
  const publisher = {
    publish: async (
      _exchange: string,
      routingKey: string,
      _body: Buffer,
      properties: { headers?: Record<string, unknown>; priority?: number },
    ) => {
      if (failPublish) throw new Error('broker refused');
      published.push({ routingKey, headers: properties.headers ?? {}, priority: properties.priority });
      log.push('publish');
    },
  };
  const rejector = {
    deadLetter: async (_delivery: Delivery, reason: DeadLetterReason) => {
      reasons.push(reason);
      log.push(`dead ${reason.code}`);
    },
  };
  const reporter = { tellCaller: async (_task: unknown, state: string) => void log.push(`tell ${state}`) };
  const gate = new DeliveryCountGate(maxDeliveries, publisher, rejector, reporter, () => quorum);
  const job = (redelivered: boolean, headers: Record<string, unknown> = {}): Job => {
    const { body, properties } = encodeTask({ id: 't-1', name: 'tasks.x', args: [], headers, priority: 7 });
    const message = {
      content: body,
      properties,
      fields: { redelivered, routingKey: 'q', deliveryTag: 1, exchange: '', consumerTag: 'c' },
    };
    const delivery = {
      message,
      queue: 'q',
      ack: () => log.push('ack'),
      requeue: () => log.push('requeue'),
      orphaned: () => false,
    } as unknown as Delivery;
    const registered = new TaskRegistry().register('tasks.x', () => null).get('tasks.x');
    return {
      delivery,
      task: decodeTask(delivery.message),
      registered: registered!,
      logger: silentLogger,
      abort: new TaskAbort(),
    };
  };
  return { gate, job, log, published, reasons };
}

describe('DeliveryCountGate', () => {
  it('lets a first delivery run untouched', async () => {
    const { gate, job, log } = harness();
    expect(await gate.admit(job(false))).to.equal('run');
    expect(log).to.deep.equal([]);
  });

  it('republishes a redelivered task to its queue with the count + 1, then acks the original', async () => {
    const { gate, job, log, published } = harness();
    expect(await gate.admit(job(true, { [DELIVERIES_HEADER]: 1, custom: 'kept' }))).to.equal('settled');
    expect(log).to.deep.equal(['publish', 'ack']);
    expect(published[0]).to.include({ routingKey: 'q', priority: 7 });
    expect(readDeliveries(published[0]?.headers)).to.equal(2);
    expect(published[0]?.headers.custom).to.equal('kept');
    expect(published[0]?.headers.task).to.equal('tasks.x');
  });

  it('hands a task back at shutdown with its count unchanged, so restarts never make it poison', async () => {
    const { gate, job, log, published } = harness();
    await gate.handBack(job(false, { [DELIVERIES_HEADER]: 2 }), { started: false });
    await gate.handBack(job(false), { started: true });
    expect(log).to.deep.equal(['publish', 'ack', 'publish', 'ack']);
    expect(published.map((copy) => readDeliveries(copy.headers))).to.deep.equal([2, 0]);
    expect(published.map((copy) => copy.headers[INTERRUPTED_HEADER] !== undefined)).to.deep.equal([false, true]);
  });

  it('counts a redelivery without the header as the second delivery', async () => {
    const { gate, job, published } = harness();
    await gate.admit(job(true));
    expect(readDeliveries(published[0]?.headers)).to.equal(1);
  });

  it('holds the copy of a task being republished until the original is acked', async () => {
    const { gate, job, log } = harness();
    const republished = gate.admit(job(true));
    // The copy arrives before the confirm does (same task id, not redelivered).
    const copy = Promise.resolve(gate.admit(job(false))).then((verdict) => log.push(`copy ${verdict}`));
    await Promise.all([republished, copy]);
    expect(log).to.deep.equal(['publish', 'ack', 'copy run']);
  });

  it('dead-letters with MAX_DELIVERIES once the count reaches maxDeliveries, telling the caller first', async () => {
    const { gate, job, log, reasons } = harness(3);
    expect(await gate.admit(job(true, { [DELIVERIES_HEADER]: 2 }))).to.equal('settled');
    expect(log).to.deep.equal(['tell FAILURE', 'dead MAX_DELIVERIES']);
    expect(reasons[0]?.message).to.match(/delivered 3 times/);
  });

  it('requeues (later) instead of acking when the republish fails, so nothing is lost', async () => {
    const { gate, job, log } = harness(3, true);
    expect(await gate.admit(job(true))).to.equal('settled');
    expect(log, 'not acked').to.deep.equal([]);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect(log).to.deep.equal(['requeue']);
  });

  it('reads the count from the types peers write, and treats garbage as zero', () => {
    expect(readDeliveries({ [DELIVERIES_HEADER]: 4 })).to.equal(4);
    expect(readDeliveries({ [DELIVERIES_HEADER]: '2' })).to.equal(2);
    expect(readDeliveries({ [DELIVERIES_HEADER]: 'x' })).to.equal(0);
    expect(readDeliveries({ [DELIVERIES_HEADER]: -1 })).to.equal(0);
    expect(readDeliveries(undefined)).to.equal(0);
  });

  describe('on a quorum queue (the broker counts: x-delivery-count)', () => {
    it('runs a redelivered task in place: no copy, no ack, while the count is under the limit', async () => {
      const { gate, job, log } = harness(3, false, true);
      expect(await gate.admit(job(true, { 'x-delivery-count': 2 }))).to.equal('run');
      expect(log).to.deep.equal([]);
    });

    it("dead-letters with MAX_DELIVERIES once the broker's count reaches maxDeliveries", async () => {
      const { gate, job, log, reasons } = harness(3, false, true);
      expect(await gate.admit(job(true, { 'x-delivery-count': 3 }))).to.equal('settled');
      expect(log).to.deep.equal(['tell FAILURE', 'dead MAX_DELIVERIES']);
      expect(reasons[0]?.message).to.match(/delivered 3 times/);
    });

    it('adds a count a handed-back copy carries, and ignores x-delivery-count on a first delivery', async () => {
      const { gate, job, log } = harness(3, false, true);
      expect(await gate.admit(job(true, { 'x-delivery-count': 1, [DELIVERIES_HEADER]: 2 }))).to.equal('settled');
      expect(await gate.admit(job(false, { 'x-delivery-count': 9 }))).to.equal('run');
      expect(log).to.deep.equal(['tell FAILURE', 'dead MAX_DELIVERIES']);
    });

    it('hands a redelivered task back with the count so far, so the copy keeps it', async () => {
      const { gate, job, published } = harness(5, false, true);
      await gate.handBack(job(true, { 'x-delivery-count': 2 }), { started: false });
      expect(readDeliveries(published[0]?.headers)).to.equal(2);
    });
  });
});
