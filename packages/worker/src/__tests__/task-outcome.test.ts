import { expect } from 'chai';
import { silentLogger } from '@celeriac/core';
import { runHandler } from '../execution/run-handler.js';
import type { TaskOutcome } from '../execution/task-outcome.js';
import type { TaskContext } from '../execution/task-context.js';
import { retry } from '../retry/retry-decision.js';
import { DEFAULT_RETRY_POLICY } from '../retry/retry-policy.js';
import type { RegisteredTask, TaskHandler } from '../task-registry.js';

const CONTEXT: TaskContext = {
  id: 't1',
  name: 'tasks.x',
  retries: 0,
  kwargs: {},
  headers: {},
  rootId: 't1',
  parentId: null,
  eta: null,
  expires: null,
  delivery: { queue: 'q', redelivered: false },
  hostname: 'celeriac@test',
  signal: new AbortController().signal,
  logger: silentLogger,
  retry: (options) => retry({ id: 't1', name: 'tasks.x', retries: 0, policy: DEFAULT_RETRY_POLICY }, options),
};

function task(handler: (...params: never[]) => unknown): RegisteredTask {
  return {
    name: 'tasks.x',
    handler: handler as TaskHandler<readonly unknown[], unknown>,
    options: {
      ignoreResult: false,
      acksLate: true,
      softTimeLimitMs: null,
      timeLimitMs: null,
      rateLimit: null,
      globalRateLimit: null,
      cpu: null,
      ...DEFAULT_RETRY_POLICY,
    },
  };
}

function failed(outcome: TaskOutcome) {
  if (outcome.state !== 'FAILURE') expect.fail(`expected FAILURE, got ${outcome.state}`);
  return outcome;
}

describe('runHandler', () => {
  it('passes the args, then the context, and reports SUCCESS with the return value', async () => {
    const outcome = await runHandler(
      task(async (x: number, y: number, ctx: TaskContext) => [x + y, ctx.id]),
      [2, 3],
      CONTEXT,
    );
    expect(outcome).to.deep.equal({ state: 'SUCCESS', result: [5, 't1'] });
  });

  it('puts the context in its declared place when the caller sent fewer args', async () => {
    const outcome = await runHandler(
      task((a: unknown, b: unknown, ctx: TaskContext) => [a, b, ctx.hostname]),
      [1],
      CONTEXT,
    );
    expect(outcome).to.deep.equal({ state: 'SUCCESS', result: [1, undefined, 'celeriac@test'] });
  });

  it('reports undefined as null and keeps a bigint', async () => {
    expect(
      await runHandler(
        task(() => undefined),
        [],
        CONTEXT,
      ),
    ).to.deep.equal({ state: 'SUCCESS', result: null });
    expect(
      await runHandler(
        task(() => 2n ** 70n),
        [],
        CONTEXT,
      ),
    ).to.deep.equal({ state: 'SUCCESS', result: 2n ** 70n });
  });

  it('reports a thrown error as FAILURE with its encoded type and stack', async () => {
    const outcome = failed(
      await runHandler(
        task(() => {
          throw new TypeError('wrong');
        }),
        [],
        CONTEXT,
      ),
    );
    expect(outcome.result).to.deep.equal({ exc_type: 'TypeError', exc_message: ['wrong'], exc_module: 'builtins' });
    expect(outcome.traceback).to.include('TypeError: wrong');
    expect(outcome.error).to.be.instanceOf(TypeError);
  });

  it('reports a thrown non-Error without a traceback', async () => {
    const outcome = failed(
      await runHandler(
        task(() => Promise.reject('just a string')),
        [],
        CONTEXT,
      ),
    );
    expect(outcome.result.exc_message).to.deep.equal(['just a string']);
    expect(outcome.traceback).to.equal(null);
  });

  it('turns a return value that cannot be JSON into a kombu EncodeError FAILURE', async () => {
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    const outcome = failed(
      await runHandler(
        task(() => circular),
        [],
        CONTEXT,
      ),
    );
    expect(outcome.result).to.include({ exc_type: 'EncodeError', exc_module: 'kombu.exceptions' });
  });
});
