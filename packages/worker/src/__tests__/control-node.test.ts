import { expect } from 'chai';
import { silentLogger } from '@celeriac/core';
import { encodeControlRequest, fromFieldValue, type EncodedControlMessage } from '@celeriac/protocol';
import { controlCommands } from '../control/commands.js';
import { ControlNode, matches } from '../control/control-node.js';
import { Pool } from '../execution/pool.js';
import { WorkerControl } from '../control/worker-control.js';
import { TaskRegistry } from '../task-registry.js';
import { compileWorkerOptions } from '../worker-options.js';

const NODE = 'celeriac@host-1';
const REPLY_TO = { exchange: 'reply.celery.pidbox', routingKey: 'client-oid' };

interface Sent {
  exchange: string;
  routingKey: string;
  body: unknown;
  headers: unknown;
}

function node(options: { failPublish?: boolean } = {}) {
  const sent: Sent[] = [];
  const replies = {
    ensureExchange: async () => undefined,
    publish: async (exchange: string, routingKey: string, message: EncodedControlMessage) => {
      if (options.failPublish) throw new Error('no route');
      sent.push({
        exchange,
        routingKey,
        body: JSON.parse(message.body.toString()),
        headers: fromFieldValue(message.properties.headers),
      });
    },
  };
  const shutdowns: number[] = [];
  const tasks = new TaskRegistry().register('tasks.add', () => 3);
  const compiled = compileWorkerOptions({ tasks, nodeName: NODE });
  const state = new WorkerControl(compiled, new Pool(compiled, () => undefined), () => shutdowns.push(Date.now()));
  const { revocations, clock } = state;
  const commands = controlCommands(state.context(Date.now()));
  const control = new ControlNode({ nodeName: NODE, commands, replies, logger: silentLogger, clock });
  return { control, sent, revocations, shutdowns };
}

function request(
  method: string,
  args: Record<string, unknown> = {},
  extra: { destination?: string[] | null; reply?: boolean; clock?: number } = {},
) {
  const reply = extra.reply ?? true;
  const { body, properties } = encodeControlRequest({
    method,
    arguments: args,
    destination: extra.destination ?? null,
    clock: extra.clock ?? 1,
    expires: 0,
    ...(reply ? { ticket: 'ticket-1', replyTo: REPLY_TO } : {}),
  });
  return {
    content: body,
    properties: { ...properties, headers: fromFieldValue(properties.headers) as Record<string, unknown> },
  };
}

/** What the node answered to one request. */
async function answer(method: string, args: Record<string, unknown> = {}): Promise<unknown> {
  const { control, sent } = node();
  await control.handle(request(method, args));
  expect(sent).to.have.length(1);
  return (sent[0]!.body as Record<string, unknown>)[NODE];
}

describe('control node', () => {
  it("answers ping with {ok: 'pong'} on the requester's exchange and key, with its ticket and a later clock", async () => {
    const { control, sent } = node();
    await control.handle(request('ping', {}, { clock: 41 }));
    expect(sent).to.have.length(1);
    expect(sent[0]).to.deep.include({
      exchange: REPLY_TO.exchange,
      routingKey: REPLY_TO.routingKey,
      body: { [NODE]: { ok: 'pong' } },
    });
    expect(sent[0]!.headers).to.have.property('ticket', 'ticket-1');
    expect((sent[0]!.headers as { clock: number }).clock).to.be.greaterThan(41);
  });

  it("revokes ids and answers as Celery: 'tasks a, b flagged as revoked'", async () => {
    expect(await answer('revoke', { task_id: ['a', 'b'], terminate: false, signal: 'SIGTERM' })).to.deep.equal({
      ok: 'tasks a, b flagged as revoked',
    });
  });

  it("answers terminate of tasks that are not running with 'terminate: tasks unknown' (and still revokes them)", async () => {
    const { control, sent, revocations } = node();
    await control.handle(request('terminate', { task_id: 'a', signal: 'SIGKILL' }));
    expect((sent[0]!.body as Record<string, unknown>)[NODE]).to.deep.equal({ ok: 'terminate: tasks unknown' });
    expect(revocations.ids.has('a')).to.equal(true);
  });

  it('answers an unknown command with {error: "KeyError(\'name\')"}', async () => {
    expect(await answer('no_such_command')).to.deep.equal({ error: "KeyError('no_such_command')" });
  });

  it('answers unusable arguments with an error reply instead of throwing', async () => {
    expect(await answer('revoke', { task_id: 42 })).to.deep.equal({
      error: "ValueError('task_id must be a task id or a list of task ids')",
    });
  });

  it('acts without replying when no reply is wanted (a plain revoke broadcast)', async () => {
    const { control, sent, revocations } = node();
    await control.handle(request('revoke', { task_id: 'x' }, { reply: false }));
    expect([sent, revocations.ids.has('x')]).to.deep.equal([[], true]);
  });

  it('ignores a request for other nodes, and treats an empty destination as everyone', async () => {
    const { control, sent, revocations } = node();
    await control.handle(request('revoke', { task_id: 'x' }, { destination: ['other@host'] }));
    expect([sent, revocations.ids.has('x')]).to.deep.equal([[], false]);
    await control.handle(request('ping', {}, { destination: [] }));
    expect(sent).to.have.length(1);
  });

  it('drops malformed messages and replies that cannot be published without throwing', async () => {
    const { control, sent } = node();
    await control.handle({ content: Buffer.from('{oops'), properties: { contentType: 'application/json' } });
    await control.handle({ content: Buffer.from('"just a string"'), properties: {} });
    expect(sent).to.deep.equal([]);
    await node({ failPublish: true }).control.handle(request('ping'));
  });

  it("matches node names with kombu's glob and pcre matchers", () => {
    expect([
      matches(NODE, 'celeriac@*', 'glob'),
      matches(NODE, 'celery@*', 'glob'),
      matches(NODE, 'cel.+@host', 'pcre'),
      matches(NODE, 'host', 'pcre'),
    ]).to.deep.equal([true, false, true, false]);
    expect(() => matches(NODE, 'x', 'regex')).to.throw('unknown matcher');
  });
});

describe('control commands (unit)', () => {
  it('sends no reply to shutdown, and stops the worker after the message is handled', async () => {
    const { control, sent, shutdowns } = node();
    await control.handle(request('shutdown'));
    expect(sent).to.deep.equal([]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(shutdowns).to.have.length(1);
  });

  it('masks the broker password in conf and report', async () => {
    const conf = (await answer('conf', { with_defaults: true })) as Record<string, unknown>;
    expect(conf.broker_url).to.equal('amqp://guest:********@localhost:5672//');
    const report = (await answer('report')) as { ok: string };
    expect(report.ok).not.to.contain('guest:guest');
  });

  it("merges a hello's revoked ids and answers its own with the clock; its own hello gets null", async () => {
    const { control, sent, revocations } = node();
    await control.handle(request('hello', { from_node: 'other@host', revoked: { x: [Date.now() / 1000, 'x'] } }));
    expect(revocations.ids.has('x')).to.equal(true);
    const reply = (sent[0]!.body as Record<string, { revoked: Record<string, unknown>; clock: number }>)[NODE]!;
    expect(Object.keys(reply.revoked)).to.deep.equal(['x']);
    expect(await answer('hello', { from_node: NODE })).to.equal(null);
  });
});
