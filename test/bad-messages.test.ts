import { randomBytes, randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { connect, type Channel, type ChannelModel, type Options } from 'amqplib';
import { Client } from '@celeriac/client';
import { defineTask } from '@celeriac/core';
import { decodeResult, type ResultMeta } from '@celeriac/protocol';
import { TaskRegistry, Worker, type DeadLetterInfo } from '@celeriac/worker';
import { BROKER_URL, deleteQueues, eventually, uniqueName } from './support/broker.js';
import { takeDeadLetter } from './support/dead-letters.js';

const add = defineTask<[x: number, y: number], number>('celeriac.test.add');
const VALID_BODY = '[[1, 2], {}, {"callbacks": null, "errbacks": null, "chain": null, "chord": null}]';

interface BadMessage {
  label: string;
  body: Buffer;
  properties?: Options.Publish;
  /** Replaces the default `{task, id}` header table. */
  headers?: (id: string) => Record<string, unknown>;
  code: string;
  /** What the caller is told, for messages whose id and reply_to can still be read. */
  excType: string | null;
}

const CASES: BadMessage[] = [
  { label: 'bad JSON', body: Buffer.from('[[1, 2], {'), code: 'BODY_UNDECODABLE', excType: 'DecodeError' },
  {
    label: 'a body that is not an array',
    body: Buffer.from('{"args": [1, 2]}'),
    code: 'BODY_SHAPE_INVALID',
    excType: 'InvalidTaskError',
  },
  {
    label: 'no id header',
    body: Buffer.from(VALID_BODY),
    headers: () => ({ task: add.name }),
    code: 'HEADER_MISSING',
    excType: null,
  },
  {
    label: 'content type with a charset',
    body: Buffer.from(VALID_BODY),
    properties: { contentType: 'application/json; charset=utf-8' },
    code: 'CONTENT_TYPE_REFUSED',
    excType: 'ContentDisallowed',
  },
  {
    label: 'content type text/plain',
    body: Buffer.from(VALID_BODY),
    properties: { contentType: 'text/plain' },
    code: 'CONTENT_TYPE_REFUSED',
    excType: 'ContentDisallowed',
  },
  {
    label: 'content encoding binary',
    body: Buffer.from(VALID_BODY),
    properties: { contentEncoding: 'binary' },
    code: 'CONTENT_ENCODING_REFUSED',
    excType: 'ContentDisallowed',
  },
  {
    label: 'an invalid eta',
    body: Buffer.from(VALID_BODY),
    headers: (id) => ({ task: add.name, id, eta: 'next tuesday' }),
    code: 'DATE_INVALID',
    excType: 'InvalidTaskError',
  },
  {
    label: 'three megabytes of garbage',
    body: randomBytes(3 * 1024 * 1024),
    code: 'BODY_UNDECODABLE',
    excType: 'DecodeError',
  },
  { label: 'an empty body', body: Buffer.alloc(0), code: 'BODY_UNDECODABLE', excType: 'DecodeError' },
  {
    // py-amqp writes a datetime header as a timestamp and a Decimal as a decimal; other clients send byte arrays.
    label: 'an unregistered task with timestamp, decimal and byte-array headers',
    body: Buffer.from(VALID_BODY),
    headers: (id) => ({
      task: 'celeriac.test.unregistered',
      id,
      sent_at: { '!': 'timestamp', value: 1714564800 },
      price: { '!': 'decimal', value: { places: 2, digits: 1999 } },
      blob: Buffer.from([1, 2, 3]),
    }),
    code: 'NOT_REGISTERED',
    excType: 'NotRegistered',
  },
];

/** A raw AMQP peer: publishes whatever it is told to, and collects replies on a queue of its own. */
class RawPeer {
  readonly replyQueue = uniqueName('bad-replies');
  readonly replies = new Map<string, ResultMeta>();
  #model: ChannelModel | null = null;
  #channel: Channel | null = null;

  async open(): Promise<void> {
    this.#model = await connect(BROKER_URL);
    this.#channel = await this.#model.createChannel();
    await this.#channel.assertQueue(this.replyQueue, { durable: true, arguments: { 'x-expires': 600_000 } });
    await this.#channel.consume(
      this.replyQueue,
      (message) => {
        if (message) this.#record(decodeResult(message.content));
      },
      { noAck: true },
    );
  }

  publish(queue: string, body: Buffer, properties: Options.Publish): void {
    this.#channel?.sendToQueue(queue, body, properties);
  }

  async close(): Promise<void> {
    await this.#model?.close();
    await deleteQueues(this.replyQueue);
  }

  #record(meta: ResultMeta): void {
    this.replies.set(meta.task_id, meta);
  }
}

describe('bad messages reaching a worker', () => {
  const queue = uniqueName('bad');
  const peer = new RawPeer();
  const deadLettered: DeadLetterInfo[] = [];
  let worker: Worker;
  let client: Client;

  before(async () => {
    worker = new Worker({
      brokerUrl: BROKER_URL,
      tasks: new TaskRegistry().register(add, (x, y) => x + y),
      queues: [queue],
      nodeName: uniqueName('node'),
      maxBodyBytes: 1024 * 1024,
    });
    worker.on('message:dead-lettered', (info) => deadLettered.push(info));
    await worker.start();
    client = new Client({ brokerUrl: BROKER_URL, defaultQueue: queue });
    await peer.open();
  });

  after(async () => {
    await worker?.stop({ timeoutMs: 2000 });
    await client?.close();
    await peer.close();
    await deleteQueues(queue);
  });

  for (const bad of CASES) {
    it(`${bad.label}: dead-lettered as ${bad.code}${bad.excType ? `, the caller told ${bad.excType}` : ''}`, async () => {
      const id = randomUUID();
      const headers = bad.headers ? bad.headers(id) : { task: add.name, id };
      const properties = {
        contentType: 'application/json',
        contentEncoding: 'utf-8',
        correlationId: id,
        replyTo: peer.replyQueue,
        persistent: true,
        ...bad.properties,
        headers,
      };
      peer.publish(queue, bad.body, properties);
      const dead = await takeDeadLetter(id);
      expect(dead.properties.headers).to.include({ 'x-celeriac-dead-code': bad.code, 'x-celeriac-dead-queue': queue });
      expect(dead.properties.headers?.['x-celeriac-dead-reason']).to.be.a('string').that.is.not.empty;
      expect(dead.properties.headers, 'the original headers survive').to.deep.include(headers);
      expect(dead.content.equals(bad.body), 'the dead letter keeps the body as it was').to.equal(true);
      const readableId = 'id' in headers ? id : null;
      expect(deadLettered.filter((info) => info.code === bad.code && info.id === readableId)).to.have.length(1);
      if (bad.excType === null) return;
      const reply = await eventually(() => peer.replies.get(id));
      expect(reply.status).to.equal('FAILURE');
      expect(reply.result).to.include({ exc_type: bad.excType });
    });
  }

  it('keeps serving afterwards: a valid task succeeds and the worker is still RUNNING', async () => {
    expect(await (await client.send(add, [20, 22])).get({ timeoutMs: 10_000 })).to.equal(42);
    expect(worker.state).to.equal('RUNNING');
    expect(deadLettered.map((info) => info.code)).to.deep.equal(CASES.map((bad) => bad.code));
  });
});
