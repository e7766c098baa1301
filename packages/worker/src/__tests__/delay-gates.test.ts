import { expect } from 'chai';
import type { DelayPublisher, PublishProperties } from '@celeriac/amqp';
import type { ResultWriter, StateUpdate } from '@celeriac/core';
import { fromFieldValue } from '@celeriac/protocol';
import { EtaGate } from '../gates/eta-gate.js';
import { EXPIRED_RESULT, ExpiryGate } from '../gates/expiry-gate.js';
import { TaskReporter } from '../settle/task-reporter.js';
import { fakeJob } from './job-fixture.js';

const NOW = Date.parse('2030-01-01T00:00:00Z');

interface Published {
  exchange: string;
  routingKey: string;
  properties: PublishProperties;
}

function lanes(fail = false): DelayPublisher & { published: Published[]; ensured: string[] } {
  const published: Published[] = [];
  const ensured: string[] = [];
  return {
    published,
    ensured,
    ensureDelayTopology: async (queue) => void ensured.push(queue),
    publish: async (exchange, routingKey, _body, properties) => {
      if (fail) throw new Error('broker refused');
      published.push({ exchange, routingKey, properties });
    },
  };
}

describe('EtaGate', () => {
  it('runs a task with no eta or a past eta at once', async () => {
    const publisher = lanes();
    const gate = new EtaGate(publisher, () => NOW);
    expect(await gate.admit(fakeJob().job)).to.equal('run');
    expect(await gate.admit(fakeJob({ eta: new Date(NOW - 86_400_000) }).job)).to.equal('run');
    expect(publisher.published).to.deep.equal([]);
  });

  it('holds a task due within a second in memory, unacked, then runs it', async () => {
    const { job, settled } = fakeJob({ eta: new Date(Date.now() + 150) });
    const gate = new EtaGate(lanes());
    const admitted = gate.admit(job);
    let done = false;
    void Promise.resolve(admitted).then(() => (done = true));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(done, 'admitted before its eta').to.equal(false);
    expect(await admitted).to.equal('run');
    expect(settled).to.deep.equal([]);
  });

  it('moves a later task into the lanes for the whole seconds left, then acks the original', async () => {
    const publisher = lanes();
    const { job, settled } = fakeJob(
      { eta: new Date(NOW + 5_700), expires: new Date(NOW + 60_000) },
      {},
      { headers: { 'x-death': [{ count: 1 }], 'x-first-death-queue': 'celery_delayed_0', custom: 5 } },
    );
    expect(await new EtaGate(publisher, () => NOW).admit(job)).to.equal('settled');
    expect(settled).to.deep.equal(['ack']);
    expect(publisher.ensured).to.deep.equal(['q']);
    const [copy] = publisher.published;
    expect(copy?.exchange).to.equal('celery_delayed_2');
    expect(copy?.routingKey).to.equal(`${'0.'.repeat(25)}1.0.1.q`);
    expect(copy?.properties.expiration, 'no per-message TTL inside the lanes').to.equal(undefined);
    const headers = copy?.properties.headers ?? {};
    expect(Object.keys(headers)).to.not.include.members(['x-death', 'x-first-death-queue']);
    expect(fromFieldValue(headers.custom)).to.equal(5);
    expect(headers.id).to.equal('task-1');
    expect(copy?.properties).to.include({
      correlationId: 'task-1',
      replyTo: 'reply-q',
      contentType: 'application/json',
    });
  });

  it('lanes an eta beyond the cascade for the maximum (it is laned again on arrival)', async () => {
    const publisher = lanes();
    await new EtaGate(publisher, () => NOW).admit(fakeJob({ eta: new Date(NOW + 10 * 365 * 86_400_000) }).job);
    expect(publisher.published[0]?.routingKey).to.equal(`${'1.'.repeat(28)}q`);
  });

  it('requeues the original (later) when the lanes refuse the copy', async () => {
    const { job, settled } = fakeJob({ eta: new Date(NOW + 5_000) });
    expect(await new EtaGate(lanes(true), () => NOW).admit(job)).to.equal('settled');
    expect(settled).to.deep.equal([]);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect(settled).to.deep.equal(['requeue']);
  });
});

describe('ExpiryGate', () => {
  function backend(fail = false): ResultWriter & { stored: StateUpdate[] } {
    const stored: StateUpdate[] = [];
    return {
      stored,
      store: async (update) => {
        if (fail) throw new Error('backend down');
        stored.push(update);
      },
    };
  }

  it('lets a task without expiry or not yet expired through', async () => {
    const results = backend();
    const gate = new ExpiryGate(new TaskReporter(results), () => NOW);
    expect(await gate.admit(fakeJob().job)).to.equal('run');
    expect(await gate.admit(fakeJob({ expires: new Date(NOW + 1) }).job)).to.equal('run');
    expect(results.stored).to.deep.equal([]);
  });

  it('records an expired task REVOKED with TaskRevokedError("expired"), then acks it', async () => {
    const results = backend();
    const { job, settled } = fakeJob({ expires: new Date(NOW) });
    expect(await new ExpiryGate(new TaskReporter(results), () => NOW).admit(job)).to.equal('settled');
    expect(results.stored).to.have.length(1);
    expect(results.stored[0]).to.deep.include({
      taskId: 'task-1',
      state: 'REVOKED',
      result: EXPIRED_RESULT,
      replyTo: 'reply-q',
    });
    expect(EXPIRED_RESULT).to.deep.equal({
      exc_type: 'TaskRevokedError',
      exc_message: ['expired'],
      exc_module: 'celery.exceptions',
    });
    expect(settled).to.deep.equal(['ack']);
  });

  it('does not ack an expired task whose state could not be stored (it is requeued later)', async () => {
    const { job, settled } = fakeJob({ expires: new Date(NOW - 1000) });
    expect(await new ExpiryGate(new TaskReporter(backend(true)), () => NOW).admit(job)).to.equal('settled');
    expect(settled, 'not acked').to.deep.equal([]);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect(settled).to.deep.equal(['requeue']);
  });
});
