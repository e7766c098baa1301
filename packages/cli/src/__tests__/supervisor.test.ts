import { EventEmitter } from 'node:events';
import { expect } from 'chai';
import { silentLogger } from '@celeriac/core';
import type { ShutdownSignal } from '../io.js';
import { Supervisor, childArguments, type Child } from '../supervisor.js';

/** A child process that records the signals it gets and exits when the test says so. */
class FakeChild extends EventEmitter {
  readonly received: string[] = [];
  constructor(readonly pid: number) {
    super();
  }
  kill(signal?: NodeJS.Signals | number): boolean {
    this.received.push(String(signal));
    return true;
  }
  exit(code: number | null, signal: NodeJS.Signals | null = null): void {
    this.emit('exit', code, signal);
  }
}

function harness(count: number, healthyAfterMs = 60_000) {
  const signals = new EventEmitter();
  const delays: unknown[] = [];
  const logger = {
    ...silentLogger,
    log: (_level: string, _message: string, meta?: Record<string, unknown>) =>
      void (meta && 'restartInMs' in meta && delays.push(meta.restartInMs)),
  };
  const children: FakeChild[] = [];
  const supervisor = new Supervisor({
    count,
    spawnChild: () => {
      const child = new FakeChild(1000 + children.length);
      children.push(child);
      return child as unknown as Child;
    },
    signals: {
      on: (s: ShutdownSignal, l: () => void) => signals.on(s, l),
      off: (s: ShutdownSignal, l: () => void) => signals.off(s, l),
    },
    logger,
    healthyAfterMs,
    backoff: { baseMs: 20, maxMs: 40, jitter: false },
  });
  /** Waits (polling) until the supervisor has spawned `n` children in all. */
  const spawned = async (n: number) => {
    while (children.length < n) await new Promise((resolve) => setTimeout(resolve, 5));
  };
  return { signals, children, supervisor, delays, spawned };
}

describe('Supervisor', function () {
  it('starts N children, forwards SIGTERM to all, and resolves 0 once all have exited', async function () {
    const { signals, children, supervisor } = harness(2);
    const done = supervisor.run();
    expect(children).to.have.length(2);
    signals.emit('SIGTERM');
    expect(children.map((child) => child.received)).to.deep.equal([['SIGTERM'], ['SIGTERM']]);
    children[0]?.exit(0);
    children[1]?.exit(0);
    expect(await done).to.equal(0);
    expect(signals.listenerCount('SIGTERM')).to.equal(0);
  });

  it('restarts a child that dies, after a pause that grows while it keeps dying young', async function () {
    const { children, supervisor, signals, delays, spawned } = harness(1);
    const done = supervisor.run();
    children[0]?.exit(null, 'SIGKILL');
    expect(children).to.have.length(1); // not at once: it died young
    await spawned(2);
    children[1]?.exit(1);
    await spawned(3);
    expect(delays).to.deep.equal([20, 40]);
    signals.emit('SIGTERM');
    children[2]?.exit(0);
    expect(await done).to.equal(0);
  });

  it('restarts at once a child that ran long enough to count as healthy', async function () {
    const { children, supervisor, signals, delays, spawned } = harness(1, 0);
    const done = supervisor.run();
    children[0]?.exit(1);
    await spawned(2);
    expect(delays).to.deep.equal([0]);
    signals.emit('SIGINT');
    children[1]?.exit(0);
    expect(await done).to.equal(0);
  });

  it('passes a second signal on too, resolves with 128 + its number, and restarts nothing while stopping', async function () {
    const { signals, children, supervisor } = harness(2);
    const done = supervisor.run();
    signals.emit('SIGTERM');
    children[0]?.exit(0);
    signals.emit('SIGINT');
    expect(children[1]?.received).to.deep.equal(['SIGTERM', 'SIGINT']);
    children[1]?.exit(130);
    expect(await done).to.equal(130);
    expect(children).to.have.length(2);
  });
});

describe('childArguments', function () {
  it('drops --processes in both spellings and keeps everything else', function () {
    expect(childArguments(['worker', '--processes', '3', '--app', 'a.js', '--processes=2', '-Q', 'q'])).to.deep.equal([
      'worker',
      '--app',
      'a.js',
      '-Q',
      'q',
    ]);
  });
});
