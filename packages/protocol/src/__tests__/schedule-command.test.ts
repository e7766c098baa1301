import { expect } from 'chai';
import { ProtocolError } from '../errors.js';
import { decodeScheduleCommand, encodeScheduleCommand, type ScheduleCommand } from '../schedule-command.js';

const json = (value: unknown) => Buffer.from(JSON.stringify(value));
const request = { requestId: 'req-1', replyTo: 'reply-queue', timeoutMs: 2500.2 };

describe('schedule commands', () => {
  const schedule = {
    name: 'report',
    task: 'reports.daily',
    schedule: { kind: 'cron', expression: '0 6 * * *', timezone: 'Europe/Warsaw' },
  } as const;
  const commands: ScheduleCommand[] = [
    { op: 'add', schedule },
    { op: 'update', schedule: { name: 'tick', task: 't', schedule: { kind: 'interval', everyMs: 1000 } } },
    { op: 'remove', name: 'report' },
    { op: 'enable', name: 'report' },
    { op: 'disable', name: 'report' },
    { op: 'list' },
  ];

  for (const command of commands) {
    it(`round-trips ${command.op}`, () => {
      expect(decodeScheduleCommand(encodeScheduleCommand(command, request).body)).to.deep.equal(command);
    });
  }

  it('is JSON with the request id as correlation id, persistent, expiring with the wait (whole ms, rounded up)', () => {
    const { body, properties } = encodeScheduleCommand({ op: 'remove', name: 'report' }, request);
    expect(body.toString('utf8')).to.equal('{"op":"remove","name":"report"}');
    expect(properties).to.deep.equal({
      contentType: 'application/json',
      contentEncoding: 'utf-8',
      correlationId: 'req-1',
      replyTo: 'reply-queue',
      deliveryMode: 2,
      expiration: '2501',
    });
  });

  it('refuses malformed commands with a ProtocolError saying what is wrong', () => {
    const cases: Array<[Buffer, string, RegExp]> = [
      [Buffer.from('{not json'), 'BODY_UNDECODABLE', /must be JSON/],
      [json([1, 2]), 'BODY_SHAPE_INVALID', /JSON object/],
      [json(null), 'BODY_SHAPE_INVALID', /JSON object/],
      [json({ op: 'explode' }), 'BODY_SHAPE_INVALID', /unknown schedule command op "explode"/],
      [json({}), 'BODY_SHAPE_INVALID', /unknown schedule command op undefined/],
      [json({ op: 'remove' }), 'BODY_SHAPE_INVALID', /schedule name/],
      [json({ op: 'enable', name: '' }), 'BODY_SHAPE_INVALID', /schedule name/],
      [json({ op: 'disable', name: 42 }), 'BODY_SHAPE_INVALID', /schedule name/],
      [json({ op: 'add', schedule: 'every minute' }), 'BODY_SHAPE_INVALID', /schedule object/],
      [json({ op: 'update', schedule: [] }), 'BODY_SHAPE_INVALID', /schedule object/],
    ];
    for (const [body, code, message] of cases) {
      expect(() => decodeScheduleCommand(body), body.toString())
        .to.throw(ProtocolError, message)
        .with.property('code', code);
    }
  });

  it('keeps only the fields of its op', () => {
    expect(decodeScheduleCommand(json({ op: 'list', name: 'x', schedule: {} }))).to.deep.equal({ op: 'list' });
    expect(decodeScheduleCommand(json({ op: 'remove', name: 'x', extra: 1 }))).to.deep.equal({
      op: 'remove',
      name: 'x',
    });
  });
});
