/**
 * Messages no worker can run, of every kind a broken or hostile producer sends, each with the
 * dead-letter code the worker must give it (see protocol's ProtocolError codes). A raw amqplib
 * peer publishes them, since a Client cannot produce them.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import '@celeriac/amqp';
import { connect, type ChannelModel, type ConfirmChannel, type Options } from 'amqplib';
import { work } from '../fixtures/ledger-tasks.js';

const VALID_BODY = '[[1], {}, {"callbacks": null, "errbacks": null, "chain": null, "chord": null}]';
const MIB = 1024 * 1024;

export interface MalformedKind {
  label: string;
  code: string;
  /** How many of this kind a flood holds. */
  copies: number;
  body: () => Buffer;
  properties?: Options.Publish;
  /** Replaces the default `{task, id}` header table. */
  headers?: (id: string) => Record<string, unknown>;
}

export const MALFORMED_KINDS: readonly MalformedKind[] = [
  { label: 'bad JSON', code: 'BODY_UNDECODABLE', copies: 20, body: () => Buffer.from('[[1], {') },
  { label: 'an empty body', code: 'BODY_UNDECODABLE', copies: 10, body: () => Buffer.alloc(0) },
  {
    label: 'a body object, not [args, kwargs, embed]',
    code: 'BODY_SHAPE_INVALID',
    copies: 15,
    body: () => Buffer.from('{"args": [1]}'),
  },
  { label: 'args that are not a list', code: 'BODY_SHAPE_INVALID', copies: 15, body: () => Buffer.from('[5, {}, {}]') },
  {
    label: 'no id header',
    code: 'HEADER_MISSING',
    copies: 15,
    body: () => Buffer.from(VALID_BODY),
    headers: () => ({ task: work.name }),
  },
  {
    label: 'no headers at all',
    code: 'HEADER_MISSING',
    copies: 15,
    body: () => Buffer.from(VALID_BODY),
    headers: () => ({}),
  },
  {
    label: 'content type text/plain',
    code: 'CONTENT_TYPE_REFUSED',
    copies: 10,
    body: () => Buffer.from(VALID_BODY),
    properties: { contentType: 'text/plain' },
  },
  {
    label: 'content type application/x-python-serialize (pickle)',
    code: 'CONTENT_TYPE_REFUSED',
    copies: 10,
    body: () => Buffer.from([0x80, 0x04, 0x4b, 0x01, 0x2e]),
    properties: { contentType: 'application/x-python-serialize' },
  },
  {
    label: 'content encoding binary',
    code: 'CONTENT_ENCODING_REFUSED',
    copies: 10,
    body: () => Buffer.from(VALID_BODY),
    properties: { contentEncoding: 'binary' },
  },
  {
    label: 'an invalid eta',
    code: 'DATE_INVALID',
    copies: 10,
    body: () => Buffer.from(VALID_BODY),
    headers: (id) => ({ task: work.name, id, eta: 'next tuesday' }),
  },
  {
    label: 'an unknown task',
    code: 'NOT_REGISTERED',
    copies: 20,
    body: () => Buffer.from(VALID_BODY),
    headers: (id) => ({ task: 'faults.no-such-task', id }),
  },
  { label: 'three megabytes of random bytes', code: 'BODY_UNDECODABLE', copies: 3, body: () => randomBytes(3 * MIB) },
  {
    label: 'seventeen megabytes of JSON, over the 16 MiB limit',
    code: 'BODY_UNDECODABLE',
    copies: 1,
    body: () => Buffer.from(`[["${'x'.repeat(17 * MIB)}"], {}, {}]`),
  },
];

export interface MalformedSent {
  kind: MalformedKind;
  /** Set as the correlation id (and the id header where there is one): how its dead letter is found. */
  id: string;
  body: Buffer;
}

/** A raw AMQP peer publishing with confirms: a confirmed message is in the queue. */
export class RawPublisher {
  private constructor(
    private readonly model: ChannelModel,
    private readonly channel: ConfirmChannel,
  ) {}

  static async open(url: string): Promise<RawPublisher> {
    const model = await connect(url);
    return new RawPublisher(model, await model.createConfirmChannel());
  }

  /** Publishes the burst without waiting between messages; resolves once the broker confirmed all. */
  async publish(queue: string, kinds: readonly MalformedKind[]): Promise<MalformedSent[]> {
    const sent = kinds.map((kind) => this.#send(queue, kind));
    await this.channel.waitForConfirms();
    return sent;
  }

  #send(queue: string, kind: MalformedKind): MalformedSent {
    const id = randomUUID();
    const body = kind.body();
    const headers = kind.headers ? kind.headers(id) : { task: work.name, id };
    const properties = {
      contentType: 'application/json',
      contentEncoding: 'utf-8',
      correlationId: id,
      persistent: true,
      ...kind.properties,
      headers,
    };
    this.channel.sendToQueue(queue, body, properties);
    return { kind, id, body };
  }

  close(): Promise<void> {
    return this.model.close();
  }
}

/** One of each copy of every kind, shuffled, so kinds arrive mixed and not in blocks. */
export function malformedFlood(): MalformedKind[] {
  const flood = MALFORMED_KINDS.flatMap((kind) => Array.from({ length: kind.copies }, () => kind));
  for (let i = flood.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [flood[i], flood[j]] = [flood[j] as MalformedKind, flood[i] as MalformedKind];
  }
  return flood;
}
