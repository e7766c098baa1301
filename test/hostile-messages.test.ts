/**
 * Messages built to hurt a worker. Each must leave its queue exactly once: run harmlessly, or
 * end in `celeriac.dead` with a reason, while the worker keeps serving.
 *
 * The defect that shipped: an unregistered task with a 60 KB name made a dead-letter copy the
 * broker (or amqplib's 64 KB header encoder) refused, so the worker put the message back and took
 * it again about once a second, forever.
 */
import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { connect, type Channel, type ChannelModel } from 'amqplib';
import { Client } from '@celeriac/client';
import { defineTask } from '@celeriac/core';
import { DEAD_LETTER_HEADER } from '@celeriac/protocol';
import { TaskRegistry, Worker, type DeadLetterInfo } from '@celeriac/worker';
import { BROKER_URL, deleteQueues, eventually, uniqueName } from './support/broker.js';
import { takeDeadLetter, takeDeadLetters } from './support/dead-letters.js';

const add = defineTask<[x: number, y: number], number>('celeriac.test.hostile.add');
const BODY = Buffer.from('[[1, 2], {}, {"callbacks": null, "errbacks": null, "chain": null, "chord": null}]');
/** amqplib encodes a header table into a 64 KB buffer: the most a test publisher can send. */
const HEADER_BUFFER_BYTES = 65_536;
/**
 * A header value that leaves the original's table (id, task, this) just inside that buffer, so
 * the broker has it, while any copy with one more header (a delivery count: 27 bytes) does not fit.
 */
const JUNK = 'j'.repeat(HEADER_BUFFER_BYTES - 100);

describe('hostile messages reaching a worker', function () {
  this.timeout(30_000);
  const queue = uniqueName('hostile');
  const deadLettered: DeadLetterInfo[] = [];
  let worker: Worker;
  let client: Client;
  let model: ChannelModel;
  let channel: Channel;

  before(async () => {
    worker = new Worker({
      brokerUrl: BROKER_URL,
      tasks: new TaskRegistry().register(add, (x, y) => x + y),
      queues: [queue],
      nodeName: uniqueName('node'),
    });
    worker.on('message:dead-lettered', (info) => deadLettered.push(info));
    await worker.start();
    client = new Client({ brokerUrl: BROKER_URL, defaultQueue: queue });
    model = await connect(BROKER_URL);
    channel = await model.createChannel();
  });

  after(async () => {
    await worker?.stop({ timeoutMs: 2000 });
    await client?.close();
    await model?.close();
    await deleteQueues(queue);
  });

  function send(headers: Record<string, unknown>, body = BODY): string {
    const id = randomUUID();
    channel.sendToQueue(queue, body, {
      contentType: 'application/json',
      contentEncoding: 'utf-8',
      correlationId: id,
      persistent: true,
      headers: { id, ...headers },
    });
    return id;
  }

  /** The one dead letter of `id`; a second copy (a message cycling back) fails the test. */
  async function onlyDeadLetter(id: string) {
    const dead = await takeDeadLetter(id);
    await new Promise((resolve) => setTimeout(resolve, 1500)); // a requeued original would be taken again within a second
    expect(await takeDeadLetters([id]), 'dead-lettered once, not again').to.deep.equal([]);
    expect(deadLettered.filter((info) => info.id === id)).to.have.length(1);
    expect((await channel.checkQueue(queue)).messageCount, 'nothing left in the queue').to.equal(0);
    return dead.properties.headers ?? {};
  }

  it('an unregistered task named with 60 KB: dead-lettered once, its name kept, the reason cut short', async () => {
    const name = 'n'.repeat(60_000);
    const headers = await onlyDeadLetter(send({ task: name }));
    expect(headers).to.include({ task: name, [DEAD_LETTER_HEADER.code]: 'NOT_REGISTERED' });
    expect(String(headers[DEAD_LETTER_HEADER.reason]).length).to.be.below(1200);
  });

  it('headers that fit the original but not the copy: dead-lettered once with the big header cut, and the cut named', async () => {
    const headers = await onlyDeadLetter(send({ task: 'celeriac.test.hostile.unknown', 'x-junk': JUNK }));
    expect(headers).to.include({
      task: 'celeriac.test.hostile.unknown',
      [DEAD_LETTER_HEADER.code]: 'NOT_REGISTERED',
      [DEAD_LETTER_HEADER.cut]: 'x-junk',
    });
    expect(String(headers['x-junk'])).to.match(/^j+… \(\d+ more characters\)$/);
    expect(String(headers[DEAD_LETTER_HEADER.reason])).to.match(
      /not registered.*; headers cut to fit the broker: x-junk$/,
    );
  });

  it('a thousand small headers and a __proto__ table: dead-lettered once, the __proto__ header kept as data', async () => {
    const many = Object.fromEntries(Array.from({ length: 1000 }, (_, i) => [`h${i}`, `value-${i}`]));
    const headers = await onlyDeadLetter(
      send({ task: 'celeriac.test.hostile.unknown', ...many, ['__proto__']: { polluted: 'yes' } }),
    );
    expect(headers).to.include({ h999: 'value-999', [DEAD_LETTER_HEADER.code]: 'NOT_REGISTERED' });
    // Before the fix amqplib made the table the headers' prototype, and the copy lost it.
    expect(headers).to.have.own.property('__proto__').that.deep.equals({ polluted: 'yes' });
    expect(Object.getPrototypeOf(headers)).to.equal(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).to.equal(undefined);
  });

  it('a body nested 100,000 arrays deep: dead-lettered once as BODY_UNDECODABLE (too deep for the parser)', async () => {
    const deep = Buffer.from(`[${'['.repeat(100_000)}${']'.repeat(100_000)}, {}, {}]`);
    const headers = await onlyDeadLetter(send({ task: add.name }, deep));
    expect(headers[DEAD_LETTER_HEADER.code]).to.equal('BODY_UNDECODABLE');
  });

  it('a __proto__ kwarg: runs once and succeeds, not dead-lettered, nothing polluted', async () => {
    const finished: Array<{ id: string; result: unknown }> = [];
    worker.on('task:succeeded', (info) => finished.push(info));
    const sneaky = send({ task: add.name }, Buffer.from('[[1, 2], {"__proto__": {"polluted": "yes"}}, {}]'));
    const succeeded = () => finished.filter((info) => info.id === sneaky).map((info) => info.result);
    await eventually(async () => succeeded()[0]);
    await new Promise((resolve) => setTimeout(resolve, 1500)); // a message cycling back would run again within a second
    expect(succeeded()).to.deep.equal([3]);
    expect(deadLettered.filter((info) => info.id === sneaky)).to.deep.equal([]);
    expect(({} as Record<string, unknown>).polluted).to.equal(undefined);
  });

  it('a redelivered task whose counted copy cannot be made: dead-lettered once, not cycled', async () => {
    const other = uniqueName('hostile-redelivered');
    await channel.assertQueue(other, { durable: true });
    const id = randomUUID();
    const headers = { id, task: add.name, 'x-junk': JUNK };
    channel.sendToQueue(other, BODY, {
      contentType: 'application/json',
      contentEncoding: 'utf-8',
      correlationId: id,
      persistent: true,
      headers,
    });
    // Taken and given back unacknowledged, as by a worker that died: it comes back `redelivered`.
    const taker = await model.createChannel();
    await eventually(async () => (await taker.get(other, { noAck: false })) || undefined);
    await taker.close();
    const second = new Worker({
      brokerUrl: BROKER_URL,
      tasks: new TaskRegistry().register(add, (x, y) => x + y),
      queues: [other],
      nodeName: uniqueName('node'),
    });
    second.on('message:dead-lettered', (info) => deadLettered.push(info));
    await second.start();
    try {
      const dead = await takeDeadLetter(id);
      expect(dead.properties.headers).to.include({
        [DEAD_LETTER_HEADER.code]: 'DELIVERY_COUNT_REFUSED',
        [DEAD_LETTER_HEADER.cut]: 'x-junk',
      });
      await new Promise((resolve) => setTimeout(resolve, 1500));
      expect(await takeDeadLetters([id])).to.deep.equal([]);
      expect((await channel.checkQueue(other)).messageCount).to.equal(0);
    } finally {
      await second.stop({ timeoutMs: 2000 });
      await deleteQueues(other);
    }
  });

  it('keeps serving afterwards', async () => {
    expect(await (await client.send(add, [20, 22])).get({ timeoutMs: 10_000 })).to.equal(42);
    expect(worker.state).to.equal('RUNNING');
  });
});
