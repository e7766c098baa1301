import { expect } from 'chai';
import { taskContext } from '../execution/inline-executor.js';
import { TaskAbort } from '../execution/task-abort.js';
import { fakeJob } from './job-fixture.js';

describe("TaskAbort (a task run's abort switch)", function () {
  it('gives a signal read before the abort the abort and its reason', function () {
    const abort = new TaskAbort();
    const { signal } = abort;
    const reasons: unknown[] = [];
    signal.addEventListener('abort', () => reasons.push(signal.reason));
    const reason = new Error('worker shutdown timeout');
    abort.abort(reason);
    expect(signal.aborted).to.equal(true);
    expect(reasons).to.deep.equal([reason]);
    expect(abort.signal).to.equal(signal);
  });

  it('gives a signal read after the abort as already aborted, with the same reason', function () {
    const abort = new TaskAbort();
    const reason = new Error('terminated');
    abort.abort(reason);
    expect(abort.aborted).to.equal(true);
    expect(abort.signal.aborted).to.equal(true);
    expect(abort.signal.reason).to.equal(reason);
  });

  it('keeps the first reason, and aborts with an AbortError when given none', function () {
    const first = new TaskAbort();
    first.abort('one');
    first.abort('two');
    expect(first.reason).to.equal('one');
    const bare = new TaskAbort();
    bare.abort();
    expect(bare.reason).to.be.instanceOf(DOMException).with.property('name', 'AbortError');
  });

  it('calls onAbort listeners once, and not those removed', function () {
    const abort = new TaskAbort();
    const calls: string[] = [];
    abort.onAbort((reason) => calls.push(`kept:${String(reason)}`));
    const remove = abort.onAbort(() => calls.push('removed'));
    remove();
    abort.abort('stop');
    abort.abort('again');
    expect(calls).to.deep.equal(['kept:stop']);
  });

  it("gives ctx.signal through a spread copy, a Proxy and a context derived with Object.create (celery.map's inner calls)", function () {
    const { job } = fakeJob();
    const ctx = taskContext(job, undefined, 'celeriac@test');
    const derived = Object.create(ctx, { kwargs: { value: {} } }) as typeof ctx;
    const reasons = [derived.signal, { ...ctx }.signal, new Proxy(ctx, {}).signal].map(
      (signal) => signal === job.abort.signal,
    );
    expect(reasons).to.deep.equal([true, true, true]);
    job.abort.abort('stop');
    expect(derived.signal.aborted).to.equal(true);
  });
});
