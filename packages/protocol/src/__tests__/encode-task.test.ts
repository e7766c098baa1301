import { expect } from 'chai';
import { decodeTask } from '../decode-task.js';
import { encodeTask } from '../encode-task.js';
import { ProtocolError } from '../errors.js';
import { fromFieldValue } from '../field-table.js';
import { parseCeleryDate } from '../iso-date.js';
import { parseJson } from '../kombu-json.js';
import type { EncodedTask, TaskMessageInput } from '../task-message.js';
import { TASK_FIXTURES, loadFixture, type Fixture } from './fixtures.js';

/** Headers whose value depends on the sender (process, language, repr flavour), not the call. */
const SENDER_HEADERS = ['lang', 'origin', 'argsrepr', 'kwargsrepr'];
const CELERY_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}\+00:00$/;

/** The same call the fixture's Python line made, as a Celeriac producer states it. */
function inputFor(fixture: Fixture): { input: TaskMessageInput; now: Date } {
  const { headers, properties } = fixture;
  const [args, kwargs, embed] = parseJson(fixture.body) as [
    unknown[],
    Record<string, unknown>,
    TaskMessageInput['embed'],
  ];
  const eta = typeof headers.eta === 'string' ? parseCeleryDate(headers.eta) : null;
  const expires = typeof headers.expires === 'string' ? parseCeleryDate(headers.expires) : null;
  const [hard, soft] = headers.timelimit as [number | null, number | null];
  const custom = Object.fromEntries(Object.entries(headers).filter(([key]) => key.startsWith('x_')));
  const input: TaskMessageInput = {
    id: String(headers.id),
    name: String(headers.task),
    args,
    kwargs,
    embed,
    eta,
    expires,
    timeLimit: { hard, soft },
    replyTo: properties.replyTo as string,
    priority: properties.priority as number,
    headers: custom,
  };
  // The v2-options call used countdown=10: Python's "now" was ten seconds before the eta.
  return { input, now: eta ? new Date(eta.getTime() - 10_000) : new Date() };
}

function encodeLike(name: string): { fixture: Fixture; encoded: EncodedTask } {
  const fixture = loadFixture(name);
  const { input, now } = inputFor(fixture);
  return { fixture, encoded: encodeTask(input, now) };
}

function plainHeaders(encoded: EncodedTask): Record<string, unknown> {
  return fromFieldValue(encoded.properties.headers) as Record<string, unknown>;
}

/** Every number anywhere in a header table, with the type amqplib will write it as. */
function numbersIn(value: unknown, path = ''): Array<{ path: string; type: unknown }> {
  if (typeof value === 'number' || typeof value === 'bigint') return [{ path, type: 'untyped' }];
  if (typeof value !== 'object' || value === null) return [];
  if ('!' in value) return [{ path, type: value['!'] }];
  return Object.entries(value).flatMap(([key, item]) => numbersIn(item, `${path}.${key}`));
}

describe('encodeTask against what Celery 5.2.6 sends', () => {
  for (const name of TASK_FIXTURES) {
    it(`${name}: the same header names, and the same values except the sender's own`, () => {
      const { fixture, encoded } = encodeLike(name);
      const headers = plainHeaders(encoded);
      expect(Object.keys(headers).sort()).to.deep.equal(Object.keys(fixture.headers).sort());
      for (const key of Object.keys(fixture.headers).filter(
        (k) => !SENDER_HEADERS.includes(k) && k !== 'eta' && k !== 'expires',
      )) {
        expect(headers[key], key).to.deep.equal(fixture.headers[key]);
      }
    });

    it(`${name}: the same AMQP properties`, () => {
      const { fixture, encoded } = encodeLike(name);
      const { headers: _headers, ...properties } = encoded.properties;
      expect(properties).to.deep.equal(fixture.properties);
    });

    it(`${name}: a body equal to Python's once parsed, that decodes back to the same task`, () => {
      const { fixture, encoded } = encodeLike(name);
      expect(parseJson(encoded.body.toString('utf8'))).to.deep.equal(parseJson(fixture.body));
      const decoded = decodeTask({ content: encoded.body, properties: encoded.properties });
      expect(decoded.args).to.deep.equal((parseJson(fixture.body) as unknown[])[0]);
    });

    it(`${name}: every integer header is tagged int32, as py-amqp needs`, () => {
      const { encoded } = encodeLike(name);
      const numbers = numbersIn(encoded.properties.headers);
      expect(numbers).to.not.be.empty;
      for (const { path, type } of numbers) expect(type, path).to.equal('int');
    });
  }

  it('writes lang "js" where Python writes "py" (a 5.2 worker does not read it)', () => {
    expect(plainHeaders(encodeLike('v2-plain').encoded).lang).to.equal('js');
  });

  it('v2-options: eta and expires with six fraction digits and +00:00, at the same instants', () => {
    const { fixture, encoded } = encodeLike('v2-options');
    const headers = plainHeaders(encoded);
    for (const key of ['eta', 'expires']) {
      expect(headers[key], key).to.match(CELERY_DATE);
      expect(parseCeleryDate(String(headers[key]))?.getTime(), key).to.equal(
        parseCeleryDate(String(fixture.headers[key]))?.getTime(),
      );
    }
    expect(encoded.properties.expiration).to.equal('60000');
  });

  it('an expires already past gives expiration "0", as Celery clamps it', () => {
    const now = new Date('2024-05-01T12:00:00Z');
    const { properties } = encodeTask({ id: 'a', name: 't', expires: new Date(now.getTime() - 5000) }, now);
    expect(properties.expiration).to.equal('0');
  });

  it('integers beyond int32 are tagged long, and fractions double', () => {
    const { properties } = encodeTask({ id: 'a', name: 't', headers: { x_big: 2 ** 40, x_frac: 0.5, x_neg: -5 } });
    expect(properties.headers.x_big).to.deep.equal({ '!': 'long', value: 2 ** 40 });
    expect(properties.headers.x_frac).to.deep.equal({ '!': 'double', value: 0.5 });
    expect(properties.headers.x_neg).to.deep.equal({ '!': 'int', value: -5 });
  });

  it('writes the same table, in the same order, with extra headers as without (but for the extras)', () => {
    const input: TaskMessageInput = { id: 'a', name: 't', retries: 3, groupIndex: 2, timeLimit: { hard: 10, soft: 5 } };
    const plain = encodeTask(input).properties.headers;
    const extra = encodeTask({ ...input, headers: { x_extra: 1, retries: 4 } }).properties.headers;
    expect(Object.keys(extra)).to.deep.equal([...Object.keys(plain), 'x_extra']);
    expect(extra).to.deep.equal({ ...plain, retries: { '!': 'int', value: 4 }, x_extra: { '!': 'int', value: 1 } });
    expect(plain.timelimit).to.deep.equal([
      { '!': 'int', value: 10 },
      { '!': 'int', value: 5 },
    ]);
    expect(plain.group_index).to.deep.equal({ '!': 'int', value: 2 });
  });

  it('args that cannot be JSON are a VALUE_UNENCODABLE ProtocolError', () => {
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    expect(() => encodeTask({ id: 'a', name: 't', args: [circular] }))
      .to.throw(ProtocolError)
      .with.property('code', 'VALUE_UNENCODABLE');
  });

  it('writes a class instance given as kwargs or args as its own keys, in the body as in the repr', () => {
    class Order {
      constructor(readonly id: number) {}
      toJSON(): unknown {
        return 'not what the repr shows';
      }
    }
    class Args extends Array<unknown> {
      toJSON(): unknown {
        return 'nor this';
      }
    }
    const kwargs = new Order(7) as unknown as Record<string, unknown>;
    const args = Args.from([1, 2]) as unknown[];
    const { body, properties } = encodeTask({ id: 'a', name: 't', args, kwargs });
    expect(parseJson(body.toString('utf8'))).to.deep.equal([
      [1, 2],
      { id: 7 },
      { callbacks: null, errbacks: null, chain: null, chord: null },
    ]);
    expect(properties.headers.kwargsrepr).to.equal("{'id': 7}");
    expect(properties.headers.argsrepr).to.equal('(1, 2)');
  });
});
