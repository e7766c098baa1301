import { expect } from 'chai';
import { corked } from '../corked-writes.js';

/** A stream stand-in that records what reached it while corked and when it was flushed. */
function recordingOut() {
  const events: string[] = [];
  let corks = 0;
  const out = {
    cork: () => (corks++, events.push('cork')),
    uncork: () => (corks--, events.push('uncork')),
    write: (chunk: string) => events.push(corks > 0 ? `buffered ${chunk}` : `written ${chunk}`),
  };
  return { out, events };
}

describe('corked amqplib muxer writes', () => {
  it("writes a muxer pass's frames while corked, and uncorks after it (one writev)", () => {
    const { out, events } = recordingOut();
    const pass = corked(function (this: { out: typeof out }) {
      this.out.write('a');
      this.out.write('b');
    } as never);
    pass.call({ out } as never);
    expect(events).to.deep.equal(['cork', 'buffered a', 'buffered b', 'uncork']);
  });

  it('uncorks even when the pass throws', () => {
    const { out, events } = recordingOut();
    const pass = corked(function () {
      throw new Error('boom');
    } as never);
    expect(() => pass.call({ out } as never)).to.throw('boom');
    expect(events).to.deep.equal(['cork', 'uncork']);
  });

  it('is installed on amqplib before any connection (Mux prototype patched once)', async () => {
    await import('../connection.js');
    const { createRequire } = await import('node:module');
    const { dirname, join } = await import('node:path');
    const require = createRequire(import.meta.url);
    const { Mux } = require(join(dirname(require.resolve('amqplib')), 'lib', 'mux.js')) as {
      Mux: { prototype: Record<string, unknown> };
    };
    expect(Mux.prototype.__celeriacCorked).to.equal(true);
  });
});
