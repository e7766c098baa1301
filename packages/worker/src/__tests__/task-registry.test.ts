import { expect } from 'chai';
import { defineTask } from '@celeriac/core';
import { TaskRegistry, isTaskRegistry } from '../task-registry.js';
import type { TaskContext } from '../execution/task-context.js';

const add = defineTask<[x: number, y: number], number>('tasks.add');
const greet = defineTask<[name: string], string>('tasks.greet');

describe('TaskRegistry', () => {
  it('registers by contract and by name, and lists names sorted', () => {
    const registry = new TaskRegistry()
      .register(greet, (name) => `hi ${name}`)
      .register(add, async (x, y) => x + y)
      .register('peer.echo', (...args) => args);
    expect(registry.names()).to.deep.equal(['peer.echo', 'tasks.add', 'tasks.greet']);
    expect(registry.get('tasks.add')?.name).to.equal('tasks.add');
    expect(registry.get('tasks.missing')).to.equal(undefined);
  });

  it('keeps the handler callable and its options with defaults', async () => {
    const registry = new TaskRegistry()
      .register(add, async (x, y) => x + y)
      .register(greet, (name) => name, { ignoreResult: true });
    const handler = registry.get('tasks.add')?.handler;
    expect(await handler?.(2, 3, {} as TaskContext)).to.equal(5);
    // include, not equal: each feature (acks, retries, time limits) adds its own defaulted options.
    expect(registry.get('tasks.add')?.options).to.deep.include({
      ignoreResult: false,
      maxRetries: 3,
      autoRetryFor: [],
      retryBackoff: true,
      retryBackoffMaxMs: 600_000,
      defaultRetryDelayMs: 180_000,
    });
    expect(registry.get('tasks.greet')?.options).to.deep.include({ ignoreResult: true });
  });

  it('refuses a name registered twice, whether by contract or by name', () => {
    const registry = new TaskRegistry().register(add, (x, y) => x + y);
    expect(() => registry.register('tasks.add', () => 0)).to.throw(TypeError, 'already registered');
    expect(() => registry.register(add, (x, y) => x * y)).to.throw(TypeError, 'already registered');
  });

  for (const name of ['', '1starts.with.digit', 'has space', 'semi;colon', 'x'.repeat(256)]) {
    it(`refuses the task name ${JSON.stringify(name.slice(0, 20))}`, () => {
      expect(() => new TaskRegistry().register(name, () => 0)).to.throw(TypeError, 'invalid task name');
    });
  }

  it('refuses a handler that is not a function', () => {
    expect(() => new TaskRegistry().register('tasks.x', 'nope' as unknown as () => void)).to.throw(
      TypeError,
      'must be a function',
    );
  });

  it('recognises registries, also ones from another copy of the package', () => {
    expect(isTaskRegistry(new TaskRegistry())).to.equal(true);
    expect(isTaskRegistry({ get: () => undefined, names: () => [] })).to.equal(true);
    expect(isTaskRegistry({ get: () => undefined })).to.equal(false);
    expect(isTaskRegistry(null)).to.equal(false);
  });

  it('types handlers from the contract (checked by tsc when this file compiles)', () => {
    const registry = new TaskRegistry();
    registry.register(add, async (x: number, y: number) => x + y);
    new TaskRegistry().register(add, (x, y, ctx) => x + y + ctx.retries);
    // @ts-expect-error: the contract says numbers, not strings
    registry.register(defineTask<[x: number, y: number], number>('t.a'), async (x: string, y: number) => x + y);
    // @ts-expect-error: the contract promises a number result, not a string
    registry.register(defineTask<[x: number, y: number], number>('t.b'), async (x: number) => `${x}`);
    // @ts-expect-error: a third argument the contract does not have cannot be a number
    registry.register(
      defineTask<[x: number, y: number], number>('t.c'),
      (x: number, y: number, z: number) => x + y + z,
    );
    // By name, a handler states its own parameters, the context last.
    registry.register('peer.order', (order: unknown, ctx: TaskContext) => [order, ctx.kwargs]);
    registry.register('peer.ping', (ctx: TaskContext) => ctx.hostname);
    // @ts-expect-error: whatever the arguments, the last parameter receives the context
    registry.register('peer.bad', (order: unknown, ctx: string) => [order, ctx]);
    expect(registry.names()).to.deep.equal(['peer.bad', 'peer.order', 'peer.ping', 't.a', 't.b', 't.c', 'tasks.add']);
  });
});
