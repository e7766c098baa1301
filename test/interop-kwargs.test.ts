/**
 * Issue 11, item 6a: keyword arguments as most Python code sends them
 * (`send_task('orders.ship', kwargs={'order_id': 5})`) reach a Celeriac handler as named
 * parameters, bound as Python binds a call; a call Python would refuse is a builtins.TypeError
 * in the caller's `get()`. Runs once per peer (CELERIAC_TEST_PYTHON: Celery 5.2 and 5.6).
 */
import { expect } from 'chai';
import { defineTask } from '@celeriac/core';
import { TaskRegistry, type TaskContext } from '@celeriac/worker';
import { deleteQueues } from './support/broker.js';
import { TaskHarness } from './support/task-harness.js';
import { callFromPython, type PythonCall, type PythonCallOutcome } from './support/python-user.js';

interface Shipped {
  orderId: number;
  note: string | null;
  noteWasUndefined: boolean;
  kwargs: Record<string, unknown>;
}

const ship = defineTask<[orderId: number, note?: string], Shipped>('celeriac.test.kwargs.ship', {
  params: ['order_id', 'note?'],
});
const CANCEL = 'celeriac.test.kwargs.cancel';
const LEGACY = 'celeriac.test.kwargs.legacy';

describe('interop: a Python caller’s kwargs bind to named parameters', function () {
  this.timeout(60_000);
  const harness = new TaskHarness('interop-kwargs');
  const replyQueues: string[] = [];
  let runs = 0;

  before(async () => {
    const tasks = new TaskRegistry()
      .register(ship, (orderId, note, ctx) => {
        runs++;
        return { orderId, note: note ?? null, noteWasUndefined: note === undefined, kwargs: { ...ctx.kwargs } };
      })
      .register(CANCEL, (orderId: unknown, reason: unknown) => ({ orderId, reason }), {
        params: ['order_id', 'reason'],
      })
      .register(LEGACY, (orderId: unknown, ctx: TaskContext) => ({ orderId: orderId ?? null, kwargs: ctx.kwargs }));
    await harness.worker(tasks);
  });
  after(async () => {
    await harness.release();
    await deleteQueues(...replyQueues);
  });

  async function call(
    name: string,
    args: unknown[],
    kwargs: Record<string, unknown>,
    extra: Partial<PythonCall> = {},
  ): Promise<PythonCallOutcome> {
    const outcome = await callFromPython({ name, queue: harness.queue, args, kwargs, ...extra });
    replyQueues.push(outcome.reply_to);
    return outcome;
  }

  function typeError(outcome: PythonCallOutcome): string {
    expect(outcome.status, outcome.line).to.equal('FAILURE');
    expect(outcome.exc_class, outcome.line).to.equal('builtins.TypeError');
    return outcome.exc_message ?? '';
  }

  it("send_task(name, kwargs={'order_id': 5}) calls the handler with orderId 5 and an undefined note", async () => {
    const outcome = await call(ship.name, [], { order_id: 5 });
    expect(outcome.status, outcome.line).to.equal('SUCCESS');
    expect(outcome.result).to.deep.equal({ orderId: 5, note: null, noteWasUndefined: true, kwargs: { order_id: 5 } });
  });

  it('binds positional args first, then kwargs by name', async () => {
    const outcome = await call(ship.name, [7], { note: 'fragile' });
    expect(outcome.result, outcome.line).to.deep.equal({
      orderId: 7,
      note: 'fragile',
      noteWasUndefined: false,
      kwargs: { note: 'fragile' },
    });
  });

  it('binds names given when registering by name (no contract)', async () => {
    const outcome = await call(CANCEL, [], { reason: 'late', order_id: 3 });
    expect(outcome.result, outcome.line).to.deep.equal({ orderId: 3, reason: 'late' });
  });

  it('answers a parameter given positionally and by name with TypeError, and does not run the handler', async () => {
    const before = runs;
    expect(typeError(await call(ship.name, [5], { order_id: 6 }))).to.equal(
      "celeriac.test.kwargs.ship() got multiple values for argument 'order_id'",
    );
    expect(runs).to.equal(before);
  });

  it('answers a keyword that binds to nothing with TypeError', async () => {
    expect(typeError(await call(ship.name, [], { order_id: 5, orderId: 5 }))).to.equal(
      "celeriac.test.kwargs.ship() got an unexpected keyword argument 'orderId'",
    );
  });

  it('answers a missing required parameter with TypeError', async () => {
    expect(typeError(await call(CANCEL, [], { order_id: 3 }))).to.equal(
      "celeriac.test.kwargs.cancel() missing 1 required argument: 'reason'",
    );
  });

  it('without named params, kwargs reach only ctx.kwargs (the documented positional behaviour)', async () => {
    const outcome = await call(LEGACY, [], { order_id: 5 });
    expect(outcome.result, outcome.line).to.deep.equal({ orderId: null, kwargs: { order_id: 5 } });
  });
});
