/**
 * Makes amqplib write the frames it has queued as one socket write instead of one each.
 *
 * amqplib's muxer moves every queued frame (a publish, an ack) to the socket with its own
 * `write()`, each a system call. Profiles of a worker draining no-op tasks, of a publisher and of
 * beat spent up to a quarter of their CPU in those writes (Node's writeBuffer), more on a busy
 * machine. Corking the socket for the muxer's pass and uncorking after it hands Node the whole
 * batch at once (one writev). Flow control is unchanged: `write()` still returns false past the
 * socket's high-water mark, and the muxer still waits for 'drain'.
 *
 * Patches amqplib's Mux prototype once, before any connection exists: connection.ts imports
 * this module ahead of amqplib.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

interface Corkable {
  cork?: () => void;
  uncork?: () => void;
}

interface MuxPrototype {
  // A function-typed property, not a method: it is read off the prototype and called with a mux as `this`.
  _readIncoming: (this: { out: Corkable }) => void;
  __celeriacCorked?: boolean;
}

export function corked(readIncoming: MuxPrototype['_readIncoming']): MuxPrototype['_readIncoming'] {
  return function readIncomingCorked(this: { out: Corkable }) {
    const out = this.out;
    if (typeof out.cork !== 'function' || typeof out.uncork !== 'function') return readIncoming.call(this);
    out.cork();
    try {
      readIncoming.call(this);
    } finally {
      out.uncork();
    }
  };
}

function install(): void {
  const require = createRequire(import.meta.url);
  const { Mux } = require(join(dirname(require.resolve('amqplib')), 'lib', 'mux.js')) as {
    Mux?: { prototype: MuxPrototype };
  };
  const prototype = Mux?.prototype;
  if (!prototype || typeof prototype._readIncoming !== 'function' || prototype.__celeriacCorked) return;
  prototype._readIncoming = corked(prototype._readIncoming);
  prototype.__celeriacCorked = true;
}

install();
