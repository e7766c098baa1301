import { expect } from 'chai';
import { DNS_NAMESPACE, SLOT_ID_NAMESPACE, slotTaskId, uuidV5 } from '../index.js';

describe('slotTaskId (UUIDv5)', () => {
  it('computes the RFC 4122 version 5 test vector (DNS namespace, www.example.com)', () => {
    expect(uuidV5('www.example.com', DNS_NAMESPACE)).to.equal('2ed6657d-e927-568b-95e1-2665a8aea6a2');
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
