import { expect } from 'chai';
import { silentLogger } from '@celeriac/core';
import type { HandBack } from '../gates/delivery-count-gate.js';
import type { Job } from '../job.js';
import { ConsumerTimeoutGuard } from '../settle/consumer-timeout.js';
import type { Lease } from '../settle/leases.js';
import { fakeJob } from './job-fixture.js';

const TIMEOUT_MS = 100; // handover at 80 ms, lease 50 ms, renewed every ~17 ms
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

class FakeLeases {
  readonly log: string[] = [];
  fail = false;
  renewals = 0;
  /** false: the next renewal finds the copy gone. */
  alive = true;

  open = (job: Job, leaseMs: number): Promise<Lease> => {
    if (this.fail) return Promise.reject(new Error('403 ACCESS_REFUSED'));
    this.log.push(`open ${job.task.id} ${leaseMs}`);
    return Promise.resolve({
      name: 'celeriac.lease.x',
      renew: () => Promise.resolve((this.renewals++, this.alive)),
      release: () => Promise.resolve(void this.log.push('release')),
      returnNow: () => Promise.resolve(void this.log.push('return')),
    });
  };
}

function guarded(leases = new FakeLeases()) {
  const handedBack: HandBack[] = [];
  const guard = new ConsumerTimeoutGuard({
    timeoutMs: TIMEOUT_MS,
    leaseMs: TIMEOUT_MS / 2,
    openLease: leases.open,
    handBack: async (job, how) => {
      handedBack.push(how);
      job.delivery.ack(); // as DeliveryCountGate's: a copy out, then the original acked
      await Promise.resolve();
    },
    logger: silentLogger,
  });
  const { job, settled } = fakeJob();
  return { guard, job: guard.hold(job), settled, handedBack, leases };
}

describe('ConsumerTimeoutGuard', () => {
  it('leaves a delivery settled before four fifths of the timeout alone', async () => {
    const { guard, job, settled, handedBack, leases } = guarded();
    job.delivery.ack();
    await sleep(TIMEOUT_MS);
    guard.forget(job);
    expect({ settled, handedBack, leases: leases.log }).to.deep.equal({ settled: ['ack'], handedBack: [], leases: [] });
  });

  it('hands a task still waiting back to its queue, and keeps it from starting here', async () => {
    const { guard, job, settled, handedBack } = guarded();
    await sleep(TIMEOUT_MS);
    expect(handedBack).to.have.length(1);
    expect(handedBack[0]!.started).to.equal(false);
    expect(settled).to.deep.equal(['ack']);
    expect(guard.released(job)).to.equal(true);
    expect(job.delivery.orphaned(), 'its copy is in the queue').to.equal(true);
  });

  it('moves a running task to a lease, acks its delivery, renews the lease, and releases it on the ack', async () => {
    const { guard, job, settled, leases } = guarded();
    guard.started(job);
    await sleep(TIMEOUT_MS);
    expect(leases.log).to.deep.equal(['open task-1 50']);
    expect(settled, 'the delivery is acked once the copy is in the lease').to.deep.equal(['ack']);
    await sleep(60);
    expect(leases.renewals).to.be.at.least(2);
    expect(job.delivery.orphaned()).to.equal(false);
    job.delivery.ack();
    await sleep(1);
    expect(leases.log).to.deep.equal(['open task-1 50', 'release']);
    expect(settled, 'no second ack of the delivery').to.deep.equal(['ack']);
    const renewals = leases.renewals;
    await sleep(40);
    expect(leases.renewals, 'no renewal after the release').to.equal(renewals);
  });

  it('returns the copy to its queue at once when a leased task is requeued', async () => {
    const { guard, job, leases } = guarded();
    guard.started(job);
    await sleep(TIMEOUT_MS);
    job.delivery.requeue();
    await sleep(1);
    expect(leases.log).to.deep.equal(['open task-1 50', 'return']);
  });

  it('keeps the delivery when no lease can be opened (the ack then goes to it)', async () => {
    const leases = new FakeLeases();
    leases.fail = true;
    const { guard, job, settled } = guarded(leases);
    guard.started(job);
    await sleep(TIMEOUT_MS);
    expect(settled).to.deep.equal([]);
    job.delivery.ack();
    expect(settled).to.deep.equal(['ack']);
  });

  it('takes a lease that ended unrenewed for lost: the task is back in its queue', async () => {
    const leases = new FakeLeases();
    leases.alive = false;
    const { guard, job } = guarded(leases);
    guard.started(job);
    await sleep(TIMEOUT_MS + 40);
    expect(job.delivery.orphaned()).to.equal(true);
  });
});
