import { expect } from 'chai';
import { ConfigurationError } from '@celeriac/core';
import { TaskRegistry } from '../task-registry.js';
import { compileWorkerOptions, type WorkerOptions } from '../worker-options.js';

const tasks = new TaskRegistry();
const compile = (options: Partial<WorkerOptions>) => compileWorkerOptions({ tasks, ...options });

describe('worker options for delivery, pools and shutdown', () => {
  it('defaults to 5 deliveries, the inline pool without an app module and a 30 s shutdown timeout', () => {
    expect(compile({})).to.include({ maxDeliveries: 5, pool: 'inline', appModule: null, shutdownTimeoutMs: 30_000 });
  });

  it('defaults to the threads pool when it knows its app module (as celeriac worker does)', () => {
    expect(compile({ appModule: 'dist/tasks.js' })).to.include({ pool: 'threads', appModule: 'dist/tasks.js' });
    expect(compile({ appModule: 'dist/tasks.js', pool: 'inline' }).pool).to.equal('inline');
  });

  it('refuses maxDeliveries below 1', () => {
    expect(() => compile({ maxDeliveries: 0 })).to.throw(ConfigurationError, /maxDeliveries/);
  });

  it("needs appModule for pools 'threads' and 'processes', and knows no other pools", () => {
    expect(() => compile({ pool: 'threads' })).to.throw(ConfigurationError, /appModule/);
    expect(() => compile({ pool: 'processes' })).to.throw(ConfigurationError, /appModule/);
    expect(compile({ pool: 'processes', appModule: 'dist/tasks.js' })).to.include({
      pool: 'processes',
      appModule: 'dist/tasks.js',
    });
    expect(() => compile({ pool: 'prefork' as never, appModule: 'x.js' })).to.throw(
      ConfigurationError,
      /pool must be 'inline', 'threads' or 'processes'/,
    );
  });

  it('needs appModule for a task registered cpu: true, naming the task', () => {
    const registry = new TaskRegistry().register('reports.render', () => 1, { cpu: true });
    expect(() => compileWorkerOptions({ tasks: registry })).to.throw(
      ConfigurationError,
      /reports\.render is registered with cpu: true/,
    );
    expect(compileWorkerOptions({ tasks: registry, appModule: 'x.js', pool: 'inline' }).pool).to.equal('inline');
    expect(() => new TaskRegistry().register('a', () => 1, { cpu: 'yes' as never })).to.throw(
      ConfigurationError,
      /cpu/,
    );
  });

  it('recycles children only where there are children', () => {
    expect(() => compile({ maxTasksPerChild: 10 })).to.throw(ConfigurationError, /need pool 'threads' or 'processes'/);
    expect(compile({ appModule: 'x.js', maxTasksPerChild: 10, maxMemoryPerChildKb: 200_000 })).to.include({
      maxTasksPerChild: 10,
      maxMemoryPerChildKb: 200_000,
    });
    expect(() => compile({ appModule: 'x.js', maxTasksPerChild: 0 })).to.throw(ConfigurationError, /maxTasksPerChild/);
  });

  it('autoscales between min and max: slots start at min, the prefetch is sized for max', () => {
    const compiled = compile({ autoscale: { max: 8, min: 2 }, prefetchMultiplier: 3 });
    expect(compiled).to.include({ concurrency: 2, prefetch: 24 });
    expect(compiled.autoscale).to.deep.equal({ max: 8, min: 2, keepaliveMs: 30_000 });
    expect(compile({ autoscale: { max: 4, min: 0 } }).concurrency, 'at least one slot').to.equal(1);
    expect(() => compile({ autoscale: { max: 2, min: 3 } })).to.throw(ConfigurationError, /autoscale\.min/);
  });

  it("assumes RabbitMQ's 30 min consumer timeout, and none when told so", () => {
    expect(compile({}).consumerTimeoutMs).to.equal(1_800_000);
    expect(compile({ consumerTimeoutMs: null }).consumerTimeoutMs).to.equal(null);
    expect(compile({ consumerTimeoutMs: 0 }).consumerTimeoutMs).to.equal(null);
    expect(() => compile({ consumerTimeoutMs: -5 })).to.throw(ConfigurationError, /consumerTimeoutMs/);
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
