import { EventEmitter } from 'node:events';
import { expect } from 'chai';
import { silentLogger } from '@celeriac/core';
import type { ShutdownSignal } from '../io.js';
import { ShutdownSignals, watchSupervisor } from '../shutdown.js';

function fakeProcess() {
  const signals = new EventEmitter();
  const exits: number[] = [];
  const io = {
    signals: {
      on: (s: ShutdownSignal, l: () => void) => signals.on(s, l),
      off: (s: ShutdownSignal, l: () => void) => signals.off(s, l),
    },
    exit: (code: number) => void exits.push(code),
  };
  return { signals, exits, io };
}

describe('ShutdownSignals', function () {
  it('resolves on the first signal without exiting', async function () {
    const { signals, exits, io } = fakeProcess();
    const shutdown = new ShutdownSignals(io, silentLogger);
    signals.emit('SIGTERM');
    expect(await shutdown.received).to.equal('SIGTERM');
    expect(exits).to.deep.equal([]);
  });

  it('exits at once with 128 + the signal number on a second signal', function () {
    const { signals, exits, io } = fakeProcess();
    new ShutdownSignals(io, silentLogger);
    signals.emit('SIGTERM');
    signals.emit('SIGINT');
    signals.emit('SIGTERM');
    expect(exits).to.deep.equal([130, 143]);
  });

  it('stops listening once disposed', function () {
    const { signals, io } = fakeProcess();
    new ShutdownSignals(io, silentLogger).dispose();
    expect(signals.listenerCount('SIGINT') + signals.listenerCount('SIGTERM')).to.equal(0);
  });
});

describe('watchSupervisor', function () {
  function child(channel: boolean) {
    const events = new EventEmitter();
    let unrefs = 0;
    return {
      events,
      unrefs: () => unrefs,
      process: {
        channel: channel ? { unref: () => void unrefs++ } : null,
        once: (e: 'disconnect', l: () => void) => events.once(e, l),
      },
    };
  }

  it('stops gracefully when the supervisor goes away, and never keeps the process alive', async function () {
    const { io } = fakeProcess();
    const shutdown = new ShutdownSignals(io, silentLogger);
    const supervised = child(true);
    watchSupervisor(shutdown, supervised.process, { CELERIAC_SUPERVISED: '1' });
    expect(supervised.unrefs()).to.equal(1);
    supervised.events.emit('disconnect');
    expect(await shutdown.received).to.equal('SIGTERM');
  });

  it('does nothing for a worker that nobody supervises', function () {
    const { io } = fakeProcess();
    const supervised = child(true);
    watchSupervisor(new ShutdownSignals(io, silentLogger), supervised.process, {});
    expect(supervised.events.listenerCount('disconnect')).to.equal(0);
  });
});
