/**
 * decodeTask against hostile input: a wrong type in every header it reads (and in those it
 * leaves alone), bodies at and one byte past the size limit, and keys that touch prototypes
 * wherever a peer can put them. Each header it reads is refused with a stable code; the rest
 * never change what runs.
 */
import { expect } from 'chai';
import { decodeTask } from '../decode-task.js';
import { ProtocolError, type ProtocolErrorCode } from '../errors.js';
import type { RawMessage } from '../task-message.js';

const ID = '0b9a3c55-6c3e-4b5f-9b39-5b6a1f0e2d11';
const BODY = '[[2, 3], {}, {"callbacks": null, "errbacks": null, "chain": null, "chord": null}]';

function message(headers: Record<string, unknown> = {}, body = BODY): RawMessage {
  return {
    content: Buffer.from(body, 'utf8'),
    properties: {
      contentType: 'application/json',
      correlationId: ID,
      headers: { task: 'proj.add', id: ID, ...headers },
    },
  };
}

function codeOf(raw: RawMessage, options = {}): ProtocolErrorCode {
  try {
    decodeTask(raw, options);
  } catch (error) {
    expect(error).to.be.instanceOf(ProtocolError);
    return (error as ProtocolError).code;
  }
  return expect.fail('decodeTask accepted the message');
}

/** Every header decodeTask reads, with a value of the wrong type and the code it must give. */
const READ_HEADERS: Array<[string, unknown, ProtocolErrorCode]> = [
  ['task', 42, 'HEADER_MISSING'], // not a v2 name, so read as v1, whose body must be an object
  ['task', { name: 'proj.add' }, 'HEADER_MISSING'],
  ['id', ['x'], 'HEADER_INVALID'],
  ['root_id', 5, 'HEADER_INVALID'],
  ['parent_id', {}, 'HEADER_INVALID'],
  ['group', [], 'HEADER_INVALID'],
  ['group_index', 'first', 'HEADER_INVALID'],
  ['group_index', Number.NaN, 'HEADER_INVALID'],
  ['shadow', 1, 'HEADER_INVALID'],
  ['origin', true, 'HEADER_INVALID'],
  ['expires', 1714564800, 'HEADER_INVALID'],
  ['retries', '3', 'HEADER_INVALID'],
  ['ignore_result', 1, 'HEADER_INVALID'],
  ['timelimit', { hard: 1 }, 'HEADER_INVALID'],
  ['compression', 5, 'BODY_UNDECODABLE'],
  ['compression', ['application/x-gzip'], 'BODY_UNDECODABLE'],
];

/** Headers decodeTask does not read (Celery's informational ones, ours read elsewhere): any type runs. */
const IGNORED_HEADERS: Array<[string, unknown]> = [
  ['argsrepr', 5],
  ['kwargsrepr', { a: 1 }],
  ['lang', 7],
  ['reply_to', 5],
  ['stamps', 'x'],
  ['stamped_headers', 3],
  ['x-celeriac-deliveries', 'lots'],
  ['x-celeriac-interrupted', 'yes'],
  ['constructor', 'x'],
  ['prototype', { polluted: 'yes' }],
];

describe('decodeTask on hostile input', () => {
  describe('a wrong type in each header it reads', () => {
    for (const [header, value, code] of READ_HEADERS) {
      it(`${header} = ${JSON.stringify(value)} is ${code}`, () => {
        expect(codeOf(message({ [header]: value }))).to.equal(code);
      });
    }
  });

  describe('a wrong type in each header it leaves alone', () => {
    for (const [header, value] of IGNORED_HEADERS) {
      it(`${header} = ${JSON.stringify(value)} decodes the same task`, () => {
        const task = decodeTask(message({ [header]: value }));
        expect(task).to.include({ id: ID, name: 'proj.add', retries: 0, rootId: ID });
        expect(task.args).to.deep.equal([2, 3]);
      });
    }
  });

  describe('body size', () => {
    const body = `[["${'x'.repeat(1000)}"], {}, {}]`;
    const size = Buffer.byteLength(body);

    it('a body of exactly maxBodyBytes decodes', () => {
      expect(decodeTask(message({}, body), { maxBodyBytes: size }).args[0]).to.have.length(1000);
    });

    it('one byte more is BODY_UNDECODABLE', () => {
      expect(codeOf(message({}, body), { maxBodyBytes: size - 1 })).to.equal('BODY_UNDECODABLE');
    });
  });

  describe('keys that touch prototypes', () => {
    const HOSTILE = '{"__proto__": {"polluted": "yes"}, "constructor": {"prototype": {"polluted": "yes"}}}';
    const SIGNATURE = `{"task": "t", "args": [], "kwargs": ${HOSTILE}, "options": ${HOSTILE}, "__proto__": {"polluted": "yes"}}`;

    afterEach(() => expect(({} as Record<string, unknown>).polluted, 'Object.prototype polluted').to.equal(undefined));

    for (const [label, body] of [
      ['kwargs', `[[], ${HOSTILE}, {}]`],
      ['kwargs with an integer past 2**53 (the lossless parser)', `[[12345678901234567890], ${HOSTILE}, {}]`],
    ]) {
      it(`in ${label}: kept as own data keys, the kwargs a plain object`, () => {
        const { kwargs } = decodeTask(message({}, body));
        expect(Object.getPrototypeOf(kwargs)).to.equal(Object.prototype);
        expect(Object.hasOwn(kwargs, '__proto__') && Object.hasOwn(kwargs, 'constructor')).to.equal(true);
        expect((kwargs as { polluted?: unknown }).polluted).to.equal(undefined);
      });
    }

    for (const key of ['callbacks', 'errbacks', 'chain']) {
      it(`in a signature of the embed's ${key}: its kwargs and options keep them as data`, () => {
        const embed = decodeTask(message({}, `[[], {}, {"${key}": [${SIGNATURE}]}]`)).embed;
        const [signature] = embed[key as 'callbacks'] ?? [];
        expect(Object.hasOwn(signature?.kwargs ?? {}, '__proto__')).to.equal(true);
        expect(Object.getPrototypeOf(signature?.options)).to.equal(Object.prototype);
      });
    }

    it("in the embed's chord: read as a signature, nothing inherited", () => {
      const { chord } = decodeTask(message({}, `[[], {}, {"chord": ${SIGNATURE}}]`)).embed;
      expect(chord?.task).to.equal('t');
      expect(Object.getPrototypeOf(chord?.kwargs)).to.equal(Object.prototype);
    });

    it('as header names: the headers stay a plain object with them as own keys', () => {
      const raw = message({ ['__proto__']: { polluted: 'yes' }, constructor: { prototype: { polluted: 'yes' } } });
      const { headers } = decodeTask(raw);
      expect(Object.getPrototypeOf(headers)).to.equal(Object.prototype);
      expect(Object.hasOwn(headers, '__proto__')).to.equal(true);
    });
  });
});
