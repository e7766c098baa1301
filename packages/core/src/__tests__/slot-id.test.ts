import { createHash } from 'node:crypto';
import { expect } from 'chai';
import { DNS_NAMESPACE, SLOT_ID_NAMESPACE, slotTaskId, uuidV5 } from '../index.js';

describe('slotTaskId (UUIDv5)', () => {
  it('computes the RFC 4122 version 5 test vector (DNS namespace, www.example.com)', () => {
    expect(uuidV5('www.example.com', DNS_NAMESPACE)).to.equal('2ed6657d-e927-568b-95e1-2665a8aea6a2');
  });

  it('gives names longer than its scratch buffer (and multi-byte ones) the same id as a plain SHA-1 would', () => {
    const reference = (name: string) => {
      const hash = createHash('sha1')
        .update(Buffer.from(DNS_NAMESPACE.replace(/-/g, ''), 'hex'))
        .update(name)
        .digest();
      hash[6] = ((hash[6] ?? 0) & 0x0f) | 0x50;
      hash[8] = ((hash[8] ?? 0) & 0x3f) | 0x80;
      const hex = hash.toString('hex', 0, 16);
      return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
    };
    for (const name of ['x'.repeat(1024), 'x'.repeat(1025), 'ü'.repeat(600), 'ü'.repeat(100), 'short'])
      expect(uuidV5(name, DNS_NAMESPACE), `${name.length} characters`).to.equal(reference(name));
  });

  it('uses a namespace derived from a fixed name, so it can be recomputed anywhere', () => {
    expect(uuidV5('celeriac.schedule.slot', DNS_NAMESPACE)).to.equal(SLOT_ID_NAMESPACE);
  });

  it('is the UUIDv5 of `${name}\\n${slot ISO}` in that namespace, with version 5 and the RFC variant', () => {
    const slot = new Date('2024-06-01T12:00:00Z');
    const id = slotTaskId('reports.daily', slot);
    expect(id).to.equal(uuidV5('reports.daily\n2024-06-01T12:00:00.000Z', SLOT_ID_NAMESPACE));
    expect(id).to.match(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('is the same for the same fire and differs for another slot or schedule', () => {
    const slot = new Date('2024-06-01T12:00:00Z');
    expect(slotTaskId('a', slot)).to.equal(slotTaskId('a', new Date(slot.getTime())));
    expect(slotTaskId('a', slot)).to.not.equal(slotTaskId('a', new Date(slot.getTime() + 1)));
    expect(slotTaskId('a', slot)).to.not.equal(slotTaskId('b', slot));
  });

  it('rejects a malformed namespace', () => {
    expect(() => uuidV5('x', 'not-a-uuid')).to.throw(TypeError, "invalid UUID 'not-a-uuid'");
  });
});
