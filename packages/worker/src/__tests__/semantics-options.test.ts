import { expect } from 'chai';
import { ConfigurationError } from '@celeriac/core';
import { TaskRegistry } from '../task-registry.js';
import { compileWorkerOptions, type WorkerOptions } from '../worker-options.js';

const tasks = new TaskRegistry();
const compile = (options: Partial<WorkerOptions>) => compileWorkerOptions({ tasks, ...options });

describe('worker options for delivery, pools and shutdown', () => {
  it('defaults to 5 deliveries, the inline pool and a 30 s shutdown timeout', () => {
    expect(compile({})).to.include({ maxDeliveries: 5, pool: 'inline', appModule: null, shutdownTimeoutMs: 30_000 });
  });

  it('refuses maxDeliveries below 1', () => {
    expect(() => compile({ maxDeliveries: 0 })).to.throw(ConfigurationError, /maxDeliveries/);
  });

  it("needs appModule for pool 'threads', and knows no other pools", () => {
    expect(() => compile({ pool: 'threads' })).to.throw(ConfigurationError, /appModule/);
    expect(compile({ pool: 'threads', appModule: 'dist/tasks.js' })).to.include({
      pool: 'threads',
      appModule: 'dist/tasks.js',
    });
    expect(() => compile({ pool: 'processes' as never })).to.throw(ConfigurationError, /pool/);
  });

  it('accepts 0 and Infinity as shutdown timeouts, not negative ones', () => {
    expect(compile({ shutdownTimeoutMs: 0 }).shutdownTimeoutMs).to.equal(0);
    expect(compile({ shutdownTimeoutMs: Number.POSITIVE_INFINITY }).shutdownTimeoutMs).to.equal(
      Number.POSITIVE_INFINITY,
    );
    expect(() => compile({ shutdownTimeoutMs: -1 })).to.throw(ConfigurationError, /shutdownTimeoutMs/);
  });

  it('acks late unless a task says otherwise', () => {
    const registry = new TaskRegistry().register('a', () => 1).register('b', () => 2, { acksLate: false });
    expect(registry.get('a')?.options.acksLate).to.equal(true);
    expect(registry.get('b')?.options.acksLate).to.equal(false);
  });
});
