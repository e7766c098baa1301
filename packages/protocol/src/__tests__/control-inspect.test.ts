import { expect } from 'chai';
import { brokerInfo, decodeHelloRevoked, encodeHelloRevoked, queueAsDict } from '../index.js';

describe('inspect reply shapes', () => {
  it('writes hello timestamps that Python reads as floats, even on a whole second', () => {
    const text = JSON.stringify(encodeHelloRevoked([{ id: 'a', revokedAtMs: 1_714_564_801_000 }]));
    expect(text).to.match(/^\{"a":\[1714564801\.\d+,"a"\]\}$/);
  });

  it("reads a peer's revoked ids in every form LimitedSet.update takes, and refuses others", () => {
    const now = 1_800_000_000_000;
    expect(decodeHelloRevoked({ a: [1_714_564_801.5, 'a'], b: 1_714_564_802.25 }, now)).to.deep.equal([
      { id: 'a', revokedAtMs: 1_714_564_801_500 },
      { id: 'b', revokedAtMs: 1_714_564_802_250 },
    ]);
    expect(decodeHelloRevoked(['c'], now)).to.deep.equal([{ id: 'c', revokedAtMs: now }]);
    expect(decodeHelloRevoked(null, now)).to.deep.equal([]);
    expect(decodeHelloRevoked({ d: 'yesterday' }, now)).to.equal(null);
    expect(decodeHelloRevoked([1, 2], now)).to.equal(null);
  });

  it("takes Celery 5.2's monotonic stamps (seconds since the peer's boot) as revoked now", () => {
    const now = 1_800_000_000_000;
    expect(decodeHelloRevoked({ e: [1803.61, 'e'] }, now)).to.deep.equal([{ id: 'e', revokedAtMs: now }]);
  });

  it('describes the broker as kombu does, never with the password', () => {
    const info = brokerInfo(['amqp://user:s3cret@rabbit:5673/prod', 'amqps://user:s3cret@other//']);
    expect(info).to.deep.include({ hostname: 'rabbit', userid: 'user', port: 5673, virtual_host: 'prod', ssl: false });
    expect(JSON.stringify(info)).not.to.contain('s3cret');
  });

  it("lists a queue as kombu's Queue.as_dict, with null arguments for a classic queue", () => {
    const base = { name: 'q', exchange: 'q', exchangeType: 'direct', routingKey: 'q', durable: true };
    const classic = queueAsDict({ ...base, exclusive: false, autoDelete: false, arguments: {} });
    expect(classic).to.deep.include({ name: 'q', routing_key: 'q', queue_arguments: null, max_priority: null });
    const quorum = queueAsDict({
      ...base,
      exclusive: false,
      autoDelete: false,
      arguments: { 'x-queue-type': 'quorum' },
    });
    expect(quorum.queue_arguments).to.deep.equal({ 'x-queue-type': 'quorum' });
  });
});
