import { deflateSync } from 'node:zlib';
import { expect } from 'chai';
import { decodeTask } from '../decode-task.js';
import { ProtocolError, type ProtocolErrorCode } from '../errors.js';
import type { RawMessage } from '../task-message.js';

const ID = '0b9a3c55-6c3e-4b5f-9b39-5b6a1f0e2d11';
const IDENTITY = { id: ID, name: 'proj.add', replyTo: 'reply.queue', correlationId: ID };
const VALID_BODY = '[[2, 3], {}, {"callbacks": null, "errbacks": null, "chain": null, "chord": null}]';

/** A valid v2 message with the given parts replaced. */
function message(
  parts: { body?: string | Buffer; headers?: Record<string, unknown>; properties?: Record<string, unknown> } = {},
): RawMessage {
  const content = Buffer.isBuffer(parts.body) ? parts.body : Buffer.from(parts.body ?? VALID_BODY, 'utf8');
  const headers = { task: 'proj.add', id: ID, ...parts.headers };
  const properties = {
    contentType: 'application/json',
    contentEncoding: 'utf-8',
    correlationId: ID,
    replyTo: 'reply.queue',
    ...parts.properties,
  };
  return { content, properties: { ...properties, headers } };
}

function decodeError(raw: RawMessage, options = {}): ProtocolError {
  try {
    decodeTask(raw, options);
  } catch (error) {
    expect(error).to.be.instanceOf(ProtocolError);
    return error as ProtocolError;
  }
  expect.fail('decodeTask accepted the message');
}

function expectCode(raw: RawMessage, code: ProtocolErrorCode): ProtocolError {
  const error = decodeError(raw);
  expect(error.code, error.message).to.equal(code);
  return error;
}

describe('decodeTask on bad messages', () => {
  it('accepts the valid base message these cases start from', () => {
    expect(decodeTask(message()).args).to.deep.equal([2, 3]);
  });

  describe('content type and encoding, refused as a 5.2 worker refuses them', () => {
    for (const contentType of [
      'application/json; charset=utf-8',
      'text/plain',
      'application/x-python-serialize',
      undefined,
    ]) {
      it(`content type ${String(contentType)} is CONTENT_TYPE_REFUSED, with the identity`, () => {
        const error = expectCode(message({ properties: { contentType } }), 'CONTENT_TYPE_REFUSED');
        expect(error.identity).to.deep.equal(IDENTITY);
      });
    }

    for (const contentEncoding of ['binary', 'latin-1', 'utf-16']) {
      it(`content encoding ${contentEncoding} is CONTENT_ENCODING_REFUSED`, () => {
        expect(
          expectCode(message({ properties: { contentEncoding } }), 'CONTENT_ENCODING_REFUSED').identity,
        ).to.deep.equal(IDENTITY);
      });
    }

    it('accepts utf8 spelled any way, and a missing encoding', () => {
      for (const contentEncoding of ['UTF-8', 'utf8', undefined])
        expect(decodeTask(message({ properties: { contentEncoding } })).id).to.equal(ID);
    });
  });

  describe('bodies', () => {
    for (const [label, body] of [
      ['bad JSON', '[[2, 3], {'],
      ['an empty body', ''],
      ['binary garbage', Buffer.from([0xff, 0xfe, 0x00, 0x81])],
    ] as const) {
      it(`${label} is BODY_UNDECODABLE, with the identity`, () => {
        expect(expectCode(message({ body }), 'BODY_UNDECODABLE').identity).to.deep.equal(IDENTITY);
      });
    }

    const shapes: Array<[string, string]> = [
      ['an object', '{"args": [1]}'],
      ['null', 'null'],
      ['a one-element array', '[[1]]'],
      ['a four-element array', '[[], {}, {}, {}]'],
      ['args that are not an array', '[{}, {}, {}]'],
      ['kwargs that are an array', '[[], [], {}]'],
      ['an embed that is a string', '[[], {}, "x"]'],
    ];
    for (const [label, body] of shapes) {
      it(`${label} is BODY_SHAPE_INVALID`, () => {
        expect(expectCode(message({ body }), 'BODY_SHAPE_INVALID').identity).to.deep.equal(IDENTITY);
      });
    }

    it('a body over maxBodyBytes is BODY_UNDECODABLE', () => {
      const error = decodeError(message({ body: `[["${'x'.repeat(2000)}"], {}, {}]` }), { maxBodyBytes: 1000 });
      expect(error.code).to.equal('BODY_UNDECODABLE');
      expect(error.message).to.include('1000');
    });

    it('an unknown kombu type marker is BODY_UNDECODABLE, with the identity', () => {
      const body = '[[{"__type__": "pickle", "__value__": "x"}], {}, {}]';
      expect(expectCode(message({ body }), 'BODY_UNDECODABLE').identity).to.deep.equal(IDENTITY);
    });
  });

  describe('compression', () => {
    it('a zlib stream under "application/x-gzip" (what Python means by it) decodes', () => {
      const body = deflateSync(Buffer.from('[[1, "zipped"], {"k": 2}, null]'));
      const task = decodeTask(message({ body, headers: { compression: 'application/x-gzip' } }));
      expect(task.args).to.deep.equal([1, 'zipped']);
      expect(task.kwargs).to.deep.equal({ k: 2 });
    });

    it('an unsupported compression is BODY_UNDECODABLE', () => {
      const error = expectCode(message({ headers: { compression: 'application/x-bz2' } }), 'BODY_UNDECODABLE');
      expect(error.message).to.include('application/x-bz2');
    });

    it('a compressed body that inflates past maxBodyBytes is BODY_UNDECODABLE', () => {
      const body = deflateSync(Buffer.from(`[["${'x'.repeat(100_000)}"], {}, {}]`));
      expect(
        decodeError(message({ body, headers: { compression: 'application/x-gzip' } }), { maxBodyBytes: 10_000 }).code,
      ).to.equal('BODY_UNDECODABLE');
    });
  });

  describe('headers', () => {
    it('a missing id is HEADER_MISSING, and the task name is still known', () => {
      const raw = message();
      delete raw.properties.headers?.id;
      const error = expectCode(raw, 'HEADER_MISSING');
      expect(error.identity).to.deep.equal({ name: 'proj.add', replyTo: 'reply.queue', correlationId: ID });
    });

    it('an empty or non-string id is HEADER_INVALID', () => {
      expectCode(message({ headers: { id: 42 } }), 'HEADER_INVALID');
      expectCode(message({ headers: { id: '' } }), 'HEADER_INVALID');
    });

    it('no task header and a body that is not a v1 object is HEADER_MISSING', () => {
      const raw = message();
      delete raw.properties.headers?.task;
      expectCode(raw, 'HEADER_MISSING');
    });

    for (const eta of [
      'tomorrow',
      '2024-13-01T00:00:00',
      '2023-02-29T10:00:00',
      '2024-05-01T24:00:00',
      '2024-05-01T12:00:00.1234567+00:00',
    ]) {
      it(`eta ${JSON.stringify(eta)} is DATE_INVALID, with the identity`, () => {
        expect(expectCode(message({ headers: { eta } }), 'DATE_INVALID').identity).to.deep.equal(IDENTITY);
      });
    }

    it('an expires that is not a date is DATE_INVALID', () => {
      expectCode(message({ headers: { expires: 'never' } }), 'DATE_INVALID');
    });

    it('an eta that is not a string is HEADER_INVALID', () => {
      expectCode(message({ headers: { eta: 1714564800 } }), 'HEADER_INVALID');
    });

    for (const timelimit of [[30], 'x', [-1, null], [null, null, null], ['30', null]]) {
      it(`timelimit ${JSON.stringify(timelimit)} is HEADER_INVALID`, () => {
        expectCode(message({ headers: { timelimit } }), 'HEADER_INVALID');
      });
    }

    it('retries that are negative or fractional, and a non-boolean ignore_result, are HEADER_INVALID', () => {
      expectCode(message({ headers: { retries: -1 } }), 'HEADER_INVALID');
      expectCode(message({ headers: { retries: 1.5 } }), 'HEADER_INVALID');
      expectCode(message({ headers: { ignore_result: 'yes' } }), 'HEADER_INVALID');
    });

    it('accepts a message with only task and id headers, as a 5.2 worker does', () => {
      const task = decodeTask(message({ body: '[[], {}, null]' }));
      expect(task).to.include({ id: ID, name: 'proj.add', retries: 0, rootId: ID, ignoreResult: false });
    });
  });
});
