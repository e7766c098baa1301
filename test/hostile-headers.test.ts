/**
 * Hostile headers and bodies, end to end: a wrong type in every header the worker reads ends in
 * `celeriac.dead` once with its code; a wrong type in a header it leaves alone, prototype keys
 * (in kwargs, in the embed's callbacks, as header names) and a body of exactly maxBodyBytes run
 * once, harmlessly. Afterwards the worker still serves, and once it has stopped (so that nothing
 * can hide as an unacknowledged delivery) the queue is empty and nothing was dead-lettered twice.
 */
import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { connect, type Channel, type ChannelModel } from 'amqplib';
import { DEAD_LETTER_HEADER } from '@celeriac/protocol';
import { TaskRegistry, Worker, type TaskContext } from '@celeriac/worker';
import { BROKER_URL, deleteQueues, eventually, uniqueName } from './support/broker.js';
import { takeDeadLetter, takeDeadLetters } from './support/dead-letters.js';

const ECHO = 'celeriac.test.hostile.echo';
const MAX_BODY = 4096;
const HOSTILE = '{"__proto__": {"polluted": "yes"}, "constructor": {"prototype": {"polluted": "yes"}}}';
const EMBED = '{"callbacks": null, "errbacks": null, "chain": null, "chord": null}';

/** Headers the worker reads, each with a wrong type, and the code its dead letter carries. */
const REFUSED: Array<[string, unknown, string]> = [
  ['task', 42, 'HEADER_MISSING'],
  ['id', 7, 'HEADER_INVALID'],
  ['root_id', 5, 'HEADER_INVALID'],
  ['parent_id', { a: 1 }, 'HEADER_INVALID'],
  ['group', [1], 'HEADER_INVALID'],
  ['group_index', 'first', 'HEADER_INVALID'],
  ['shadow', 1, 'HEADER_INVALID'],
  ['origin', true, 'HEADER_INVALID'],
  ['eta', 1714564800, 'HEADER_INVALID'],
  ['expires', [2030], 'HEADER_INVALID'],
  ['retries', 'three', 'HEADER_INVALID'],
  ['ignore_result', 'yes', 'HEADER_INVALID'],
  ['timelimit', 'x', 'HEADER_INVALID'],
  ['compression', 5, 'BODY_UNDECODABLE'],
];

/** Headers the worker does not act on (or reads defensively): a wrong type changes nothing. */
const IGNORED: Array<[string, unknown]> = [
  ['argsrepr', 5],
  ['kwargsrepr', { a: 1 }],
  ['lang', 7],
  ['reply_to', 5],
  ['stamps', 'x'],
  ['x-celeriac-deliveries', 'lots'],
  ['x-celeriac-interrupted', 'yes'],
];

interface Run {
  id: string;
  kwargs: Readonly<Record<string, unknown>>;
  headers: Readonly<Record<string, unknown>>;
}

describe('hostile headers and bodies, end to end', function () {
  this.timeout(60_000);
  const queue = uniqueName('hostile-headers');
  const runs: Run[] = [];
  const sent: string[] = [];
  let worker: Worker;
  let model: ChannelModel;
  let channel: Channel;

  before(async () => {
    const tasks = new TaskRegistry().register(ECHO, (ctx: TaskContext) => {
      runs.push({ id: ctx.id, kwargs: ctx.kwargs, headers: ctx.headers });
      return Object.keys(ctx.kwargs);
    });
    worker = new Worker({
      brokerUrl: BROKER_URL,
      tasks,
      queues: [queue],
      nodeName: uniqueName('node'),
      maxBodyBytes: MAX_BODY,
    });
    await worker.start();
    model = await connect(BROKER_URL);
    channel = await model.createChannel();
  });

  after(async () => {
    await worker?.stop({ timeoutMs: 2000 });
    await model?.close();
    await deleteQueues(queue);
  });

  function send(headers: Record<string, unknown>, body = `[[], {}, ${EMBED}]`): string {
    const id = randomUUID();
    sent.push(id);
    channel.sendToQueue(queue, Buffer.from(body), {
      contentType: 'application/json',
      correlationId: id,
      persistent: true,
      headers: { id, task: ECHO, ...headers },
    });
    return id;
  }

  const runsOf = (id: string) => runs.filter((run) => run.id === id);
  const ranOnce = async (id: string) => (await eventually(async () => runsOf(id)[0]), runsOf(id));

  for (const [header, value, code] of REFUSED) {
    it(`${header} = ${JSON.stringify(value)}: dead-lettered with ${code}`, async () => {
      const dead = await takeDeadLetter(send({ [header]: value }));
      expect(dead.properties.headers).to.include({ [DEAD_LETTER_HEADER.code]: code });
    });
  }

  for (const [header, value] of IGNORED) {
    it(`${header} = ${JSON.stringify(value)}: runs once`, async () => {
      expect(await ranOnce(send({ [header]: value }))).to.have.length(1);
    });
  }

  it('a body of exactly maxBodyBytes runs; one byte more is dead-lettered with BODY_UNDECODABLE', async () => {
    // The padding goes in kwargs: an argument would come before the context.
    const frame = `[[], {"pad": ""}, ${EMBED}]`;
    const body = (size: number) => `[[], {"pad": "${'x'.repeat(size - frame.length)}"}, ${EMBED}]`;
    expect(Buffer.byteLength(body(MAX_BODY))).to.equal(MAX_BODY);
    expect(await ranOnce(send({}, body(MAX_BODY)))).to.have.length(1);
    const dead = await takeDeadLetter(send({}, body(MAX_BODY + 1)));
    expect(dead.properties.headers).to.include({ [DEAD_LETTER_HEADER.code]: 'BODY_UNDECODABLE' });
  });

  it('__proto__ and constructor in kwargs: run once, kept as own data keys, nothing polluted', async () => {
    const [run] = await ranOnce(send({}, `[[], ${HOSTILE}, ${EMBED}]`));
    expect(Object.hasOwn(run?.kwargs ?? {}, '__proto__') && Object.hasOwn(run?.kwargs ?? {}, 'constructor')).to.equal(
      true,
    );
    expect(Object.getPrototypeOf(run?.kwargs)).to.equal(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).to.equal(undefined);
  });

  it("__proto__ in a callback's kwargs and options: the task and its callback each run once, nothing polluted", async () => {
    const tag = randomUUID();
    const options = `{"queue": "${queue}", "__proto__": {"polluted": "yes"}}`;
    const callback = `{"task": "${ECHO}", "args": [], "kwargs": {"tag": "${tag}", "__proto__": {"polluted": "yes"}}, "options": ${options}, "immutable": true}`;
    expect(await ranOnce(send({}, `[[], {}, {"callbacks": [${callback}]}]`))).to.have.length(1);
    const ran = await eventually(async () => runs.find((run) => run.kwargs.tag === tag));
    expect(Object.hasOwn(ran.kwargs, '__proto__')).to.equal(true);
    expect(({} as Record<string, unknown>).polluted).to.equal(undefined);
  });

  it('a header named __proto__ (a table) runs once and reaches the task as an own header, not its prototype', async () => {
    const [run] = await ranOnce(send({ ['__proto__']: { polluted: 'yes' }, constructor: 'x' }));
    expect(Object.getPrototypeOf(run?.headers)).to.equal(Object.prototype);
    expect(run?.headers).to.have.own.property('__proto__').that.deep.equals({ polluted: 'yes' });
    expect((run?.headers as { polluted?: unknown }).polluted).to.equal(undefined);
  });

  it('keeps serving, and once stopped has left nothing behind: no delivery unacknowledged, no run or dead letter twice', async () => {
    expect(await ranOnce(send({ origin: 'after' }))).to.have.length(1);
    await worker.stop({ timeoutMs: 5000 });
    expect((await channel.checkQueue(queue)).messageCount, 'left in the queue').to.equal(0);
    expect(await takeDeadLetters(sent), 'dead-lettered again').to.deep.equal([]);
    for (const id of sent) expect(runsOf(id).length, `runs of ${id}`).to.be.at.most(1);
  });
});
