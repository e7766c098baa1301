import { expect } from 'chai';
import { decodeControlRequest, encodeControlReply, encodeControlRequest } from '../control/message.js';
import { ProtocolError } from '../errors.js';
import { fromFieldValue } from '../field-table.js';

/** A request as kombu 5.2.4 publishes `celery inspect ping` (reference §6.1, captured). */
const CAPTURED_PING = {
  content: Buffer.from(
    JSON.stringify({
      method: 'ping',
      arguments: {},
      destination: null,
      pattern: null,
      matcher: null,
      ticket: '4cdb83d1-2e17-429f-8006-88dbd625a352',
      reply_to: { exchange: 'reply.celery.pidbox', routing_key: '6fe748c6-3f24-3927-b33f-87609926fac3' },
    }),
  ),
  properties: {
    contentType: 'application/json',
    contentEncoding: 'utf-8',
    headers: { clock: 1, expires: 1714564801.04 },
  },
};

function raw(body: unknown, properties: Record<string, unknown> = {}) {
  return {
    content: Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)),
    properties: { contentType: 'application/json', contentEncoding: 'utf-8', ...properties },
  };
}

function decodeError(message: ReturnType<typeof raw>): ProtocolError {
  try {
    decodeControlRequest(message);
  } catch (error) {
    expect(error).to.be.instanceOf(ProtocolError);
    return error as ProtocolError;
  }
  expect.fail(`accepted ${message.content.toString()}`);
}

describe('control requests', () => {
  it("decodes kombu's captured ping request", () => {
    expect(decodeControlRequest(CAPTURED_PING)).to.deep.equal({
      method: 'ping',
      arguments: {},
      destination: null,
      pattern: null,
      matcher: null,
      ticket: '4cdb83d1-2e17-429f-8006-88dbd625a352',
      replyTo: { exchange: 'reply.celery.pidbox', routingKey: '6fe748c6-3f24-3927-b33f-87609926fac3' },
      clock: 1,
    });
  });

  it("encodes a revoke exactly as app.control.revoke: body fields in kombu's order, clock and a double expires", () => {
    const { body, properties } = encodeControlRequest({
      method: 'revoke',
      arguments: { task_id: 'x', terminate: false, signal: 'SIGTERM' },
      clock: 3,
      expires: 1714564801,
    });
    expect(body.toString()).to.equal(
      '{"method":"revoke","arguments":{"task_id":"x","terminate":false,"signal":"SIGTERM"},"destination":null,"pattern":null,"matcher":null}',
    );
    expect(properties).to.deep.include({
      contentType: 'application/json',
      contentEncoding: 'utf-8',
      deliveryMode: 2,
      priority: 0,
    });
    expect(properties.headers).to.deep.equal({
      clock: { '!': 'int', value: 3 },
      expires: { '!': 'double', value: 1714564801 },
    });
  });

  it('round-trips a request that wants replies', () => {
    const encoded = encodeControlRequest({
      method: 'ping',
      arguments: {},
      destination: ['w1@h'],
      ticket: 't',
      replyTo: { exchange: 'reply.celery.pidbox', routingKey: 'oid' },
      clock: 2,
      expires: 0,
    });
    const decoded = decodeControlRequest({
      content: encoded.body,
      properties: { ...encoded.properties, headers: { clock: 2 } },
    });
    expect(decoded).to.deep.include({
      method: 'ping',
      destination: ['w1@h'],
      ticket: 't',
      replyTo: { exchange: 'reply.celery.pidbox', routingKey: 'oid' },
      clock: 2,
    });
  });

  it('reads a missing clock as 0, missing arguments as {}, a single destination name as a list', () => {
    expect(decodeControlRequest(raw({ method: 'ping', destination: 'w1@h' }))).to.deep.include({
      clock: 0,
      arguments: {},
      destination: ['w1@h'],
    });
  });

  const malformed: Array<[string, ReturnType<typeof raw>, string]> = [
    ['non-JSON', raw('{nope'), 'BODY_UNDECODABLE'],
    ['an array body', raw([1, 2]), 'BODY_SHAPE_INVALID'],
    ['no method', raw({ arguments: {} }), 'BODY_SHAPE_INVALID'],
    ['arguments that are a list', raw({ method: 'ping', arguments: [1] }), 'BODY_SHAPE_INVALID'],
    ['a destination of numbers', raw({ method: 'ping', destination: [1] }), 'BODY_SHAPE_INVALID'],
    ['a reply_to without routing_key', raw({ method: 'ping', reply_to: { exchange: 'x' } }), 'BODY_SHAPE_INVALID'],
    ['a numeric ticket', raw({ method: 'ping', ticket: 5 }), 'BODY_SHAPE_INVALID'],
    ['pickle', raw('x', { contentType: 'application/x-python-serialize' }), 'CONTENT_TYPE_REFUSED'],
    ['a binary encoding', raw({ method: 'ping' }, { contentEncoding: 'binary' }), 'CONTENT_ENCODING_REFUSED'],
  ];
  for (const [what, message, code] of malformed) {
    it(`refuses ${what} with ${code}`, () => {
      expect(decodeError(message).code).to.equal(code);
    });
  }
});

describe('control replies', () => {
  it("are kombu's Node.reply: {node: reply}, transient, ticket and clock headers", () => {
    const { body, properties } = encodeControlReply('w1@h', { ok: 'pong' }, 'ticket-1', 7);
    expect(JSON.parse(body.toString())).to.deep.equal({ 'w1@h': { ok: 'pong' } });
    expect(properties.deliveryMode).to.equal(1);
    expect(fromFieldValue(properties.headers)).to.deep.equal({ ticket: 'ticket-1', clock: 7 });
  });
});
