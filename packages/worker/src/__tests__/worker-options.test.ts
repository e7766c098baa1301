import { expect } from 'chai';
import { ConfigurationError, silentLogger } from '@celeriac/core';
import { TaskRegistry } from '../task-registry.js';
import { Worker } from '../worker.js';
import { compileWorkerOptions } from '../worker-options.js';

const tasks = new TaskRegistry().register('tasks.noop', () => null);

function expectConfigError(options: Record<string, unknown>, mentions: string): void {
  expect(() => compileWorkerOptions({ tasks, ...options }), JSON.stringify(options))
    .to.throw(ConfigurationError, mentions)
    .with.property('code', 'CONFIG_INVALID');
}

describe('worker options', () => {
  it('defaults to the celery queue, concurrency 10, prefetch 2 per slot and rpc:// results', () => {
    const options = compileWorkerOptions({ tasks });
    expect(options).to.include({
      brokerUrl: 'amqp://guest:guest@localhost:5672//',
      concurrency: 10,
      prefetch: 20,
      resultBackend: 'rpc',
      trackStarted: false,
      maxBodyBytes: 16 * 1024 * 1024,
      // As Celery: task events off unless -E, worker heartbeats on unless --without-heartbeat.
      events: false,
      heartbeatEvents: true,
    });
    expect(options.queues).to.deep.equal(['celery']);
    expect(options.nodeName).to.match(/^celeriac-\d+@/);
    expect(options.logger).to.equal(silentLogger);
  });

  it('prefetches concurrency × multiplier, capped at what AMQP can express', () => {
    expect(compileWorkerOptions({ tasks, concurrency: 4, prefetchMultiplier: 3 }).prefetch).to.equal(12);
    expect(compileWorkerOptions({ tasks, concurrency: 1000, prefetchMultiplier: 100 }).prefetch).to.equal(65_535);
  });

  it('trims queue names and drops duplicates', () => {
    expect(compileWorkerOptions({ tasks, queues: [' a ', 'b', 'a'] }).queues).to.deep.equal(['a', 'b']);
  });

  it('refuses tasks that are not a TaskRegistry', () => {
    expectConfigError({ tasks: undefined }, 'TaskRegistry');
    expectConfigError({ tasks: { 'tasks.add': () => 1 } }, 'TaskRegistry');
  });

  for (const field of ['concurrency', 'prefetchMultiplier', 'maxBodyBytes']) {
    for (const value of [0, -1, 1.5, Number.NaN, '4']) {
      it(`refuses ${field} ${JSON.stringify(value)}`, () => expectConfigError({ [field]: value }, field));
    }
  }

  for (const queues of [[], [''], ['  '], 'celery', [42]]) {
    it(`refuses queues ${JSON.stringify(queues)}`, () => expectConfigError({ queues }, 'queue'));
  }

  it('refuses a broker URL that is not amqp:// or amqps://', () => {
    expectConfigError({ brokerUrl: 'redis://localhost:6379' }, 'brokerUrl');
    expectConfigError({ brokerUrl: 42 }, 'brokerUrl');
  });

  it('refuses an unknown result backend, and accepts none', () => {
    expectConfigError({ resultBackend: 'redis://localhost:6379/0' }, 'result backend');
    expect(compileWorkerOptions({ tasks, resultBackend: null }).resultBackend).to.equal(null);
  });

  it('accepts mongodb:// and mongodb+srv:// result backends and keeps the URL for the backend', () => {
    const compiled = compileWorkerOptions({ tasks, resultBackend: 'mongodb+srv://user:pw@host/db' });
    expect(compiled).to.deep.include({
      resultBackend: 'mongodb',
      resultBackendUrl: 'mongodb+srv://user:pw@host/db',
      resultExpiresMs: 86_400_000,
    });
    expect(compileWorkerOptions({ tasks, resultBackend: 'mongodb://127.0.0.1/results' }).resultBackend).to.equal(
      'mongodb',
    );
    expectConfigError({ resultExpiresMs: 0 }, 'resultExpiresMs');
  });

  it('is what the Worker constructor checks, before any connection', () => {
    expect(() => new Worker({ tasks, concurrency: 0 })).to.throw(ConfigurationError);
    expect(new Worker({ tasks }).state).to.equal('INITIALIZED');
  });
});
