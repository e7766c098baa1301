import { expect } from 'chai';
import { ConfigurationError } from '@celeriac/core';
import { TaskRegistry } from '../task-registry.js';
import { compileWorkerOptions } from '../worker-options.js';

const tasks = new TaskRegistry();

describe('worker queueType options', () => {
  it('declares classic queues by default and quorum ones when asked, a queue of its own winning', () => {
    expect(compileWorkerOptions({ tasks }).queueSpecs.map((spec) => spec.type)).to.deep.equal(['classic']);
    const compiled = compileWorkerOptions({
      tasks,
      queues: ['a', 'b'],
      queueType: 'quorum',
      queueOptions: { b: { queueType: 'classic' } },
    });
    expect(compiled.queueType).to.equal('quorum');
    expect(compiled.queueSpecs.map((spec) => [spec.name, spec.arguments])).to.deep.equal([
      ['a', { 'x-queue-type': 'quorum' }],
      ['b', {}],
    ]);
  });

  it('refuses a priority on a quorum queue when the worker is built, before it connects', () => {
    const options = { tasks, queues: ['p'], queueType: 'quorum' as const, queueOptions: { p: { maxPriority: 5 } } };
    expect(() => compileWorkerOptions(options)).to.throw(ConfigurationError, /queue 'p' is a quorum queue/);
  });

  it('refuses an unknown queue type', () => {
    const queueType = 'stream' as unknown as 'quorum';
    expect(() => compileWorkerOptions({ tasks, queueType })).to.throw(ConfigurationError, /queueType must be/);
  });
});
