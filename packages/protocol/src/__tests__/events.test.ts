import { expect } from 'chai';
import { ProtocolError } from '../errors.js';
import {
  decodeEvents,
  encodeEvent,
  encodeEventList,
  eventJson,
  exceptionRepr,
  localUtcOffset,
  resultRepr,
  taskCallFields,
} from '../events/index.js';
import { fromFieldValue } from '../field-table.js';
import type { TaskMessage } from '../task-message.js';

/** Bodies a Celery 5.6.3 worker (`-E`, solo pool) published, captured from a queue bound to celeryev. */
const CAPTURED_HEARTBEAT =
  '{"hostname": "evcap@host", "utcoffset": 0, "pid": 21103, "clock": 6, "freq": 2.0, "active": 0, "processed": 0, ' +
  '"loadavg": [3.05, 1.75, 1.05], "sw_ident": "py-celery", "sw_ver": "5.6.3", "sw_sys": "Linux", ' +
  '"timestamp": 1796208492.58672, "type": "worker-heartbeat"}';
const CAPTURED_SUCCEEDED =
  '{"hostname": "evcap@host", "utcoffset": 0, "pid": 21103, "clock": 13, "uuid": "18858e6c-7081-408b-b2b4-4b356a374773", ' +
  '"result": "5", "runtime": 0.003931697999973949, "timestamp": 1796208494.591902, "type": "task-succeeded"}';

const SENDER = { hostname: 'evcap@host', pid: 21103, utcoffset: 0 };

describe('events: encoding', () => {
  it('writes a worker-heartbeat byte for byte as Celery does', () => {
    const event = encodeEvent(
      'worker-heartbeat',
      {
        freq: 2,
        active: 0,
        processed: 0,
        loadavg: [3.05, 1.75, 1.05],
        sw_ident: 'py-celery',
        sw_ver: '5.6.3',
        sw_sys: 'Linux',
      },
      { ...SENDER, clock: 6, now: 1796208492586.72 },
    );
    expect(event.body.toString('utf8')).to.equal(CAPTURED_HEARTBEAT);
    expect(event.routingKey).to.equal('worker.heartbeat');
    expect(event.properties).to.include({ contentType: 'application/json', deliveryMode: 1, priority: 0 });
    expect(fromFieldValue(event.properties.headers.hostname)).to.equal('evcap@host');
  });

  it('writes a task-succeeded byte for byte, runtime a float even when whole', () => {
    const fields = { uuid: '18858e6c-7081-408b-b2b4-4b356a374773', result: '5', runtime: 0.003931697999973949 };
    const event = encodeEvent('task-succeeded', fields, { ...SENDER, clock: 13, now: 1796208494591.902 });
    expect(event.body.toString('utf8')).to.equal(CAPTURED_SUCCEEDED);
    expect(event.routingKey).to.equal('task.succeeded');
    const whole = encodeEvent('task-succeeded', { ...fields, runtime: 1 }, { ...SENDER, clock: 1, now: 1000 });
    expect(whole.body.toString('utf8')).to.contain('"runtime": 1.0').and.contain('"timestamp": 1.0');
  });

  it('writes buffered task events as one task.multi message with a list body, as Celery flushes them', () => {
    const one = eventJson('task-started', { uuid: 'a' }, { ...SENDER, clock: 1, now: 1000 });
    const two = eventJson('task-started', { uuid: 'b' }, { ...SENDER, clock: 2, now: 2000 });
    const list = encodeEventList([one, two], 'evcap@host');
    expect(list.routingKey).to.equal('task.multi');
    expect(list.body.toString('utf8')).to.equal(`[${one}, ${two}]`);
    expect(decodeEvents({ content: list.body, properties: list.properties }).map((event) => event.uuid)).to.deep.equal([
      'a',
      'b',
    ]);
  });

  it('escapes non-ASCII text as Python json does', () => {
    const event = encodeEvent(
      'task-failed',
      { uuid: 'x', exception: "ValueError('é')" },
      { ...SENDER, clock: 1, now: 0 },
    );
    expect(event.body.toString('utf8')).to.contain('"exception": "ValueError(\'\\u00e9\')"');
    expect(event.body.toString('utf8')).not.to.contain('traceback');
  });

  it('has utcoffset positive west of UTC, as Python', () => {
    const date = new Date();
    expect(localUtcOffset(date)).to.equal(Math.floor(date.getTimezoneOffset() / 60));
  });
});

describe('events: task fields', () => {
  const task = {
    id: 'id-1',
    name: 'tasks.add',
    shadow: null,
    args: [2, 'x'],
    kwargs: { k: true },
    rootId: 'root',
    parentId: null,
    retries: 1,
    eta: new Date('2026-01-02T03:04:05.678Z'),
    expires: null,
    headers: {},
  } as unknown as TaskMessage;

  it('computes args/kwargs reprs when the message has no argsrepr/kwargsrepr headers', () => {
    expect(taskCallFields(task)).to.deep.equal({
      uuid: 'id-1',
      name: 'tasks.add',
      args: "(2, 'x')",
      kwargs: "{'k': True}",
      root_id: 'root',
      parent_id: null,
      retries: 1,
      eta: '2026-01-02T03:04:05.678000+00:00',
      expires: null,
    });
  });

  it("copies the sender's argsrepr/kwargsrepr headers, as Celery's worker does", () => {
    const fields = taskCallFields({ ...task, headers: { argsrepr: '(<masked>)', kwargsrepr: '{}' } });
    expect(fields).to.include({ args: '(<masked>)', kwargs: '{}' });
  });

  it('writes results and exceptions as Python reprs, results capped at 1024 characters', () => {
    expect(resultRepr(5)).to.equal('5');
    expect(resultRepr({ a: [null, 'b'] })).to.equal("{'a': [None, 'b']}");
    expect(resultRepr('x'.repeat(5000))).to.have.length(1024);
    expect(exceptionRepr(new TypeError('bad'))).to.equal("TypeError('bad')");
  });
});

describe('events: decoding', () => {
  const raw = (body: string) => ({ content: Buffer.from(body), properties: { contentType: 'application/json' } });

  it("reads a Celery worker's event", () => {
    const [event] = decodeEvents(raw(CAPTURED_HEARTBEAT));
    expect(event).to.include({ type: 'worker-heartbeat', hostname: 'evcap@host', clock: 6, freq: 2, active: 0 });
  });

  it('reads a task.multi list as many events', () => {
    const events = decodeEvents(raw(`[${CAPTURED_SUCCEEDED}, ${CAPTURED_SUCCEEDED}]`));
    expect(events.map((event) => event.type)).to.deep.equal(['task-succeeded', 'task-succeeded']);
  });

  it('refuses events monitors cannot index: no timestamp, or a task event without uuid', () => {
    expect(() => decodeEvents(raw('{"type": "worker-online", "hostname": "h"}'))).to.throw(ProtocolError, /timestamp/);
    expect(() => decodeEvents(raw('{"type": "task-started", "hostname": "h", "timestamp": 1}'))).to.throw(/uuid/);
    expect(() => decodeEvents(raw('nope'))).to.throw(ProtocolError);
  });
});
