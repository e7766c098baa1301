import { expect } from 'chai';
import { setTimeout as sleep } from 'node:timers/promises';
import { defineTask, silentLogger } from '@celeriac/core';
import { runHandler } from '../execution/run-handler.js';
import type { TaskOutcome } from '../execution/task-outcome.js';
import type { TaskContext } from '../execution/task-context.js';
import { retry } from '../retry/retry-decision.js';
import { DEFAULT_RETRY_POLICY } from '../retry/retry-policy.js';
import { TaskRegistry } from '../task-registry.js';
import { SoftTimeLimitExceeded } from '../execution/time-limits.js';

const ship = defineTask<[orderId: number, note?: string], string>('orders.ship', { params: ['order_id', 'note?'] });

function context(kwargs: Record<string, unknown>, signal = new AbortController().signal): TaskContext {
  return {
    id: 't1',
    name: 'orders.ship',
    retries: 0,
    kwargs,
    headers: {},
    rootId: 't1',
    parentId: null,
    eta: null,
    expires: null,
    delivery: { queue: 'q', redelivered: false },
    hostname: 'celeriac@test',
    signal,
    logger: silentLogger,
    retry: (options) => retry({ id: 't1', name: 'orders.ship', retries: 0, policy: DEFAULT_RETRY_POLICY }, options),
  };
}

function failed(outcome: TaskOutcome) {
  if (outcome.state !== 'FAILURE') return expect.fail(`expected FAILURE, got ${outcome.state}`);
  return outcome;
}

describe('named parameters in the worker', () => {
  const calls: unknown[][] = [];
  const registry = new TaskRegistry()
    .register(ship, (orderId, note, ctx) => (calls.push([orderId, note, ctx.kwargs]), `${orderId}:${note ?? '-'}`), {
      autoRetryFor: [TypeError],
    })
    .register('orders.cancel', (orderId: unknown, ctx: TaskContext) => [orderId, ctx.id], { params: ['order_id'] })
    .register('orders.legacy', (orderId: unknown, ctx: TaskContext) => [orderId ?? null, ctx.kwargs]);
  const run = (name: string, args: unknown[], kwargs: Record<string, unknown>) =>
    runHandler(registry.get(name)!, args, context(kwargs));
  beforeEach(() => (calls.length = 0));

  it('binds kwargs to the contract’s parameters and still passes ctx (with ctx.kwargs) last', async () => {
    expect(await run('orders.ship', [], { order_id: 5 })).to.deep.equal({ state: 'SUCCESS', result: '5:-' });
    expect(await run('orders.ship', [6], { note: 'fragile' })).to.deep.equal({ state: 'SUCCESS', result: '6:fragile' });
    expect(calls).to.deep.equal([
      [5, undefined, { order_id: 5 }],
      [6, 'fragile', { note: 'fragile' }],
    ]);
  });

  it('binds params given when registering by name', async () => {
    expect(await run('orders.cancel', [], { order_id: 9 })).to.deep.equal({ state: 'SUCCESS', result: [9, 't1'] });
  });

  it('reports a duplicate or unknown keyword as a builtins TypeError FAILURE, without running the handler or retrying', async () => {
    const duplicate = failed(await run('orders.ship', [5], { order_id: 6 }));
    expect(duplicate.result).to.deep.equal({
      exc_type: 'TypeError',
      exc_message: ["orders.ship() got multiple values for argument 'order_id'"],
      exc_module: 'builtins',
    });
    const unknown = failed(await run('orders.ship', [], { order_id: 5, orderId: 5 }));
    expect(unknown.result.exc_message).to.deep.equal(["orders.ship() got an unexpected keyword argument 'orderId'"]);
    expect(calls).to.deep.equal([]);
  });

  it('without params keeps the positional behaviour: kwargs only in ctx.kwargs', async () => {
    expect(await run('orders.legacy', [], { order_id: 5 })).to.deep.equal({
      state: 'SUCCESS',
      result: [null, { order_id: 5 }],
    });
  });

  it('refuses, when registering by name, a params list Python could not declare', () => {
    expect(() => new TaskRegistry().register('x.y', () => 1, { params: ['a?', 'b'] })).to.throw(
      TypeError,
      'follows an optional one',
    );
  });

  it('reports the soft time limit, not the AbortError an API wraps it in', async () => {
    const controller = new AbortController();
    const waits = new TaskRegistry().register('t.wait', async (ctx: TaskContext) =>
      sleep(10_000, undefined, { signal: ctx.signal }),
    );
    const running = runHandler(waits.get('t.wait')!, [], context({}, controller.signal));
    controller.abort(new SoftTimeLimitExceeded(1));
    const outcome = failed(await running);
    expect(outcome.result).to.deep.equal({
      exc_type: 'SoftTimeLimitExceeded',
      exc_message: ['soft time limit (1s) exceeded'],
      exc_module: 'celery.exceptions',
    });
    expect(outcome.error).to.be.instanceOf(SoftTimeLimitExceeded);
  });

  it('keeps an AbortError that is not about the task’s own signal', async () => {
    const other = new TaskRegistry().register('t.other', async () =>
      sleep(10, undefined, { signal: AbortSignal.abort('elsewhere') }),
    );
    expect(failed(await runHandler(other.get('t.other')!, [], context({}))).result.exc_type).to.equal('AbortError');
  });
});
