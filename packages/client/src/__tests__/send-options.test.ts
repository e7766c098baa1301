import { expect } from 'chai';
import { InvalidArgumentError, defineTask, signature } from '@celeriac/core';
import { compileSendOptions, taskInput, type SendOptions } from '../send-options.js';

const BASE = { id: 'id-1', name: 't.add', args: [1], kwargs: {}, origin: 'test', replyTo: null };

const NOW = new Date('2024-05-01T12:00:00.000Z');

function compile(options: SendOptions) {
  return compileSendOptions(options, NOW);
}

function expectInvalid(options: Record<string, unknown>, mentions: string): void {
  expect(() => compile(options), JSON.stringify(options))
    .to.throw(InvalidArgumentError, mentions)
    .with.property('code', 'INVALID_ARGUMENT');
}

describe('send options', () => {
  it('compiles no options to one frozen object, the same as options that are all left out', () => {
    const none = compile({});
    expect(compile({}), 'shared by every send without options').to.equal(none);
    expect(Object.isFrozen(none) && Object.isFrozen(none.headers) && Object.isFrozen(none.link)).to.equal(true);
    expect(none).to.deep.equal(compile({ queue: undefined }));
    expect(() => none.link.push(signature('t.add', [1]).toSignature()), 'a send cannot change the next one').to.throw(
      TypeError,
    );
  });

  it('defaults to no eta, no expiry, no headers and results wanted', () => {
    expect(compile({})).to.deep.equal({
      taskId: undefined,
      queue: undefined,
      priority: undefined,
      eta: null,
      expires: null,
      headers: {},
      ignoreResult: false,
      timeLimit: { hard: null, soft: null },
      link: [],
      linkError: [],
    });
  });

  it('takes link and linkError as signatures, into the embed as Celery names them', () => {
    const notify = defineTask<[id: string], void>('t.notify');
    const fields = taskInput(BASE, compile({ link: signature('t.done'), linkError: [notify.s()] }));
    expect(fields.embed?.callbacks?.map((sig) => sig.task)).to.deep.equal(['t.done']);
    expect(fields.embed?.errbacks?.map((sig) => sig.task)).to.deep.equal(['t.notify']);
    expect(() => compile({ link: { task: 't.done' } as never })).to.throw(
      InvalidArgumentError,
      'link must be a signature',
    );
  });

  describe('times', () => {
    it('turns a countdown in seconds into an absolute eta', () => {
      expect(compile({ countdown: 10 }).eta?.toISOString()).to.equal('2024-05-01T12:00:10.000Z');
      expect(compile({ countdown: 0.25 }).eta?.toISOString()).to.equal('2024-05-01T12:00:00.250Z');
      expect(compile({ countdown: 0 }).eta?.toISOString()).to.equal(NOW.toISOString());
    });

    it('takes an eta as a Date or an ISO-8601 string', () => {
      expect(compile({ eta: new Date('2024-06-01T00:00:00Z') }).eta?.toISOString()).to.equal(
        '2024-06-01T00:00:00.000Z',
      );
      expect(compile({ eta: '2024-06-01T02:00:00+02:00' }).eta?.toISOString()).to.equal('2024-06-01T00:00:00.000Z');
    });

    it('takes expires as seconds from now, a Date, or an ISO-8601 string', () => {
      expect(compile({ expires: 60 }).expires?.toISOString()).to.equal('2024-05-01T12:01:00.000Z');
      expect(compile({ expires: new Date('2024-05-02T00:00:00Z') }).expires?.toISOString()).to.equal(
        '2024-05-02T00:00:00.000Z',
      );
      expect(compile({ expires: '2024-05-02T00:00:00.500000+00:00' }).expires?.toISOString()).to.equal(
        '2024-05-02T00:00:00.500Z',
      );
    });

    it('refuses countdown and eta together', () => {
      expectInvalid({ countdown: 5, eta: NOW }, 'countdown or eta');
    });

    for (const countdown of [-1, Number.NaN, Number.POSITIVE_INFINITY, '10', null]) {
      it(`refuses countdown ${String(countdown)}`, () => expectInvalid({ countdown }, 'countdown'));
    }

    for (const expires of [-5, Number.NaN, 'soon', '2024-13-01T00:00:00', new Date('invalid'), true]) {
      it(`refuses expires ${String(expires)}`, () => expectInvalid({ expires }, 'expires'));
    }

    for (const eta of ['next tuesday', new Date(Number.NaN), 1714564800, '2024-02-30T00:00:00']) {
      it(`refuses eta ${String(eta)}`, () => expectInvalid({ eta }, 'eta'));
    }
  });

  describe('routing and identity', () => {
    it('keeps a chosen task id, queue and priority', () => {
      expect(compile({ taskId: 'my-id', queue: 'math', priority: 9 })).to.include({
        taskId: 'my-id',
        queue: 'math',
        priority: 9,
      });
    });

    for (const priority of [-1, 256, 1.5, '5']) {
      it(`refuses priority ${JSON.stringify(priority)}`, () => expectInvalid({ priority }, 'priority'));
    }

    for (const [field, value] of [
      ['taskId', ''],
      ['queue', ''],
      ['queue', 'q'.repeat(256)],
      ['taskId', 42],
    ] as const) {
      it(`refuses ${field} ${JSON.stringify(value).slice(0, 20)}`, () => expectInvalid({ [field]: value }, field));
    }
  });

  describe('headers', () => {
    it('passes custom headers through as a copy', () => {
      const headers = { tenant: 'acme', attempt: 3 };
      const compiled = compile({ headers });
      expect(compiled.headers).to.deep.equal(headers);
      expect(compiled.headers).to.not.equal(headers);
    });

    for (const name of [
      'id',
      'task',
      'eta',
      'expires',
      'retries',
      'timelimit',
      'root_id',
      'parent_id',
      'argsrepr',
      'origin',
      'ignore_result',
      'compression',
      'lang',
    ]) {
      it(`refuses the reserved header name ${name}`, () => expectInvalid({ headers: { [name]: 'x' } }, name));
    }

    it('refuses headers that are not an object', () => {
      expectInvalid({ headers: ['a'] }, 'headers');
      expectInvalid({ headers: 'a=b' }, 'headers');
    });
  });

  describe('taskInput', () => {
    it('hands encodeTask the compiled times and flags beside who sends what, priority undefined when unset', () => {
      const fields = taskInput(BASE, compile({ countdown: 1, expires: 2, ignoreResult: true, headers: { a: 1 } }));
      expect(fields).to.deep.equal({
        ...BASE,
        priority: undefined,
        eta: new Date('2024-05-01T12:00:01Z'),
        expires: new Date('2024-05-01T12:00:02Z'),
        headers: { a: 1 },
        ignoreResult: true,
        timeLimit: { hard: null, soft: null },
        embed: undefined,
      });
      expect(taskInput(BASE, compile({ priority: 0 }))).to.include({ priority: 0 });
    });
  });
});
