import { EventEmitter } from 'node:events';
import { expect } from 'chai';
import { silentLogger } from '@celeriac/core';
import type { ShutdownSignal } from '../io.js';
import { ShutdownSignals } from '../shutdown.js';

function fakeProcess() {
  const signals = new EventEmitter();
  const exits: number[] = [];
  const io = {
    signals: { on: (s: ShutdownSignal, l: () => void) => signals.on(s, l), off: (s: ShutdownSignal, l: () => void) => signals.off(s, l) },
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
