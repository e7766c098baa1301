import { expect } from 'chai';
import { encodeControlReply } from '../control/message.js';
import { decodeControlReply, errorReply, okReply, unknownCommandReply } from '../control/reply.js';
import { revokeArguments, revokeTaskIds } from '../control/commands.js';
import { ProtocolError } from '../errors.js';

/** An encoded message as it comes back off the broker: amqplib hands headers over as plain values. */
function received(encoded: ReturnType<typeof encodeControlReply>) {
  const headers = Object.fromEntries(
    Object.entries(encoded.properties.headers).map(([k, v]) => [
      k,
      v !== null && typeof v === 'object' && 'value' in v ? v.value : v,
    ]),
  );
  return { content: encoded.body, properties: { ...encoded.properties, headers } };
}

describe('control replies', () => {
  it("round-trip kombu's reply: {nodename: reply}, the ticket and clock in the headers", () => {
    const encoded = encodeControlReply('w1@host', okReply('pong'), 'ticket-1', 7);
    expect(JSON.parse(encoded.body.toString())).to.deep.equal({ 'w1@host': { ok: 'pong' } });
    expect(decodeControlReply(received(encoded))).to.deep.equal({
      nodeName: 'w1@host',
      reply: { ok: 'pong' },
      ticket: 'ticket-1',
      clock: 7,
    });
  });

  it('reads a reply without a ticket or clock (a missing ticket counts as a match in kombu)', () => {
    const message = { content: Buffer.from('{"celery@py": {"ok": "pong"}}'), properties: {} };
    expect(decodeControlReply(message)).to.deep.equal({
      nodeName: 'celery@py',
      reply: { ok: 'pong' },
      ticket: null,
      clock: 0,
    });
  });

  it('refuses bodies that are not one node and its reply', () => {
    for (const body of ['nope', '[1]', '{}', '{"a": 1, "b": 2}']) {
      expect(() => decodeControlReply({ content: Buffer.from(body), properties: {} }), body).to.throw(ProtocolError);
    }
  });

  it("writes errors as Celery does: the exception's Python repr, KeyError for an unknown command", () => {
    const bad = new Error("task_id can't be 3");
    bad.name = 'ValueError';
    expect(errorReply(bad)).to.deep.equal({ error: "ValueError('task_id can\\'t be 3')" });
    expect(errorReply('boom')).to.deep.equal({ error: "Exception('boom')" });
    expect(unknownCommandReply('stats')).to.deep.equal({ error: "KeyError('stats')" });
  });
});

describe('revoke arguments', () => {
  it("are app.control.revoke's: one id bare, several as a list, SIGTERM", () => {
    expect(revokeArguments('a', false)).to.deep.equal({ task_id: 'a', terminate: false, signal: 'SIGTERM' });
    expect(revokeArguments(['a', 'b'], true)).to.deep.equal({
      task_id: ['a', 'b'],
      terminate: true,
      signal: 'SIGTERM',
    });
  });

  it('round-trip to the ids a worker acts on, duplicates once; anything else is refused (null)', () => {
    expect(revokeTaskIds(revokeArguments('a', false).task_id)).to.deep.equal(['a']);
    expect(revokeTaskIds(revokeArguments(['a', 'b', 'a'], false).task_id)).to.deep.equal(['a', 'b']);
    expect(revokeTaskIds(undefined)).to.deep.equal([]);
    expect(revokeTaskIds([1])).to.equal(null);
    expect(revokeTaskIds({ id: 'a' })).to.equal(null);
  });
});
