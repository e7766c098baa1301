import { expect } from 'chai';
import type { ResultWriter, StateUpdate } from '@celeriac/core';
import { TaskState } from '@celeriac/protocol';
import type { Job } from '../job.js';
import { Revocations } from '../control/revocations.js';
import { TaskRevokedError } from '../execution/task-revoked-error.js';
import { RevokedGate } from '../gates/revoked-gate.js';
import type { TaskExecutor } from '../execution/task-executor.js';
import { TerminableExecutor } from '../execution/terminable-executor.js';
import type { TaskOutcome } from '../execution/task-outcome.js';
import { TaskReporter } from '../settle/task-reporter.js';
import { fakeJob } from './job-fixture.js';

const FAILED: TaskOutcome = {
  state: TaskState.FAILURE,
  result: { exc_type: 'Error', exc_message: ['x'], exc_module: 'celeriac' },
  traceback: null,
  error: new Error('x'),
};

/** A pool whose handler ends when its signal fires, with whatever outcome the test chose. */
function poolEndingOnAbort(outcome: TaskOutcome, seen: { signal?: AbortSignal; kill?: AbortSignal }): TaskExecutor {
  return {
    execute: (_job: Job, signal: AbortSignal, kill?: AbortSignal) => {
      Object.assign(seen, { signal, kill });
      return new Promise((resolve) => signal.addEventListener('abort', () => resolve(outcome), { once: true }));
    },
  };
}

describe('revocations', () => {
  it('remembers revoked ids; without terminate nothing is aborted', () => {
    const revocations = new Revocations();
    expect(revocations.revoke(['a', 'b'], false)).to.deep.equal([]);
    expect([revocations.ids.has('a'), revocations.ids.has('b'), revocations.ids.has('c')]).to.deep.equal([
      true,
      true,
      false,
    ]);
  });

  it("terminate aborts the run's signal and kill with TaskRevokedError('terminated'), and the outcome is REVOKED even if it failed", async () => {
    const revocations = new Revocations();
    const seen: { signal?: AbortSignal; kill?: AbortSignal } = {};
    const { job } = fakeJob({ id: 'running-1' });
    // As the processor runs it: the signal is the job's own controller's.
    const outcome = new TerminableExecutor(revocations, poolEndingOnAbort(FAILED, seen)).execute(job, job.abort.signal);
    expect(revocations.revoke(['running-1', 'elsewhere'], true)).to.deep.equal(['running-1']);
    expect(await outcome).to.deep.include({
      state: TaskState.REVOKED,
      result: { exc_type: 'TaskRevokedError', exc_message: ['terminated'], exc_module: 'celery.exceptions' },
    });
    expect(seen.signal?.reason).to.be.instanceOf(TaskRevokedError).and.include({ reason: 'terminated' });
    expect(seen.kill?.aborted).to.equal(true);
  });

  it('passes an outcome through when the run was not terminated, and forgets the run once it ended', async () => {
    const revocations = new Revocations();
    const success: TaskOutcome = { state: TaskState.SUCCESS, result: 1 };
    const executor = new TerminableExecutor(revocations, { execute: () => Promise.resolve(success) });
    const { job } = fakeJob({ id: 'done-1' });
    expect(await executor.execute(job, job.abort.signal)).to.equal(success);
    expect(revocations.revoke(['done-1'], true)).to.deep.equal([]);
  });

  it('reaches both runs of one id (a redelivered duplicate beside its original), and each until it ends', () => {
    const revocations = new Revocations();
    const aborted: string[] = [];
    const run = (name: string) => ({ abort: () => void aborted.push(name) });
    const [first, second, third] = [run('first'), run('second'), run('third')];
    revocations.track('dup', first);
    revocations.track('dup', second);
    revocations.track('dup', third);
    revocations.untrack('dup', second);
    expect(revocations.revoke(['dup'], true)).to.deep.equal(['dup']);
    expect(aborted).to.deep.equal(['first', 'third']);
    revocations.untrack('dup', first);
    revocations.untrack('dup', third);
    expect(revocations.revoke(['dup'], true), 'no run left').to.deep.equal([]);
    revocations.track('single', first);
    revocations.untrack('single', second);
    expect(revocations.revoke(['single'], true), 'an untrack of another run leaves it').to.deep.equal(['single']);
  });
});

describe('RevokedGate', () => {
  function gate(revoked: string[]) {
    const stored: StateUpdate[] = [];
    const results: ResultWriter = { store: async (update) => void stored.push(update) };
    const revocations = new Revocations();
    revocations.revoke(revoked, false);
    return { gate: new RevokedGate(revocations.ids, new TaskReporter(results)), stored };
  }

  it("stores REVOKED with Celery's TaskRevokedError('revoked'), acks, and settles a revoked task", async () => {
    const { gate: revokedGate, stored } = gate(['task-1']);
    const { job, settled } = fakeJob({ id: 'task-1' });
    expect(await revokedGate.admit(job)).to.equal('settled');
    expect(stored.map(({ taskId, state, result }) => ({ taskId, state, result }))).to.deep.equal([
      {
        taskId: 'task-1',
        state: 'REVOKED',
        result: { exc_type: 'TaskRevokedError', exc_message: ['revoked'], exc_module: 'celery.exceptions' },
      },
    ]);
    expect(settled).to.deep.equal(['ack']);
  });

  it('lets any other task run, untouched', async () => {
    const { gate: revokedGate, stored } = gate(['other']);
    const { job, settled } = fakeJob({ id: 'task-1' });
    expect(await revokedGate.admit(job)).to.equal('run');
    expect([stored, settled]).to.deep.equal([[], []]);
  });

  it('does not ack when REVOKED could not be stored (the caller would wait for ever)', async () => {
    const results: ResultWriter = { store: () => Promise.reject(new Error('backend down')) };
    const revocations = new Revocations();
    revocations.revoke(['task-1'], false);
    const { job, settled } = fakeJob({ id: 'task-1' });
    expect(await new RevokedGate(revocations.ids, new TaskReporter(results)).admit(job)).to.equal('settled');
    expect(settled, 'not acked').to.deep.equal([]);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect(settled, 'requeued later').to.deep.equal(['requeue']);
  });
});
