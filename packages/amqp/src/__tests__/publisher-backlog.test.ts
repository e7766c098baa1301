import { EventEmitter } from 'node:events';
import { expect } from 'chai';
import type { AmqpConnection } from '../connection.js';
import { ConfirmPublisher } from '../publisher.js';

type Confirm = (error: unknown) => void;

/** A confirm channel whose buffer holds `room` messages until the test drains it. */
class FakeChannel extends EventEmitter {
  readonly written: string[] = [];
  readonly confirms: Confirm[] = [];
  buffered = 0;

  constructor(private readonly room: number) {
    super();
  }

  publish(_exchange: string, _key: string, body: Buffer, _properties: unknown, confirm: Confirm): boolean {
    this.written.push(body.toString());
    this.confirms.push(confirm);
    return ++this.buffered < this.room;
  }

  drain(): void {
    this.buffered = 0;
    this.emit('drain');
  }
}

async function publisherOn(channel: FakeChannel): Promise<ConfirmPublisher> {
  const model = { createConfirmChannel: () => Promise.resolve(channel) };
  const connection = { closed: false, addSetup: (hook: (m: unknown) => Promise<void>) => hook(model) };
  return ConfirmPublisher.create(connection as unknown as AmqpConnection);
}

const send = (publisher: ConfirmPublisher, n: number) =>
  Array.from({ length: n }, (_, i) => publisher.publish('', 'q', Buffer.from(String(i)), {}));

describe('ConfirmPublisher back-pressure', () => {
  it("writes no more while amqplib's buffer is full, then in order, a buffer's worth per 'drain'", async () => {
    const channel = new FakeChannel(3);
    const confirmed = send(await publisherOn(channel), 8);
    expect(channel.written).to.deep.equal(['0', '1', '2']);
    channel.drain();
    expect(channel.written).to.deep.equal(['0', '1', '2', '3', '4', '5']);
    channel.drain();
    expect(channel.written).to.deep.equal(['0', '1', '2', '3', '4', '5', '6', '7']);
    for (const confirm of channel.confirms) confirm(null);
    await Promise.all(confirmed);
  });

  it('keeps the order for sends made while a backlog waits', async () => {
    const channel = new FakeChannel(2);
    const publisher = await publisherOn(channel);
    const first = send(publisher, 3);
    const later = publisher.publish('', 'q', Buffer.from('later'), {});
    channel.drain();
    expect(channel.written).to.deep.equal(['0', '1', '2', 'later']);
    for (const confirm of channel.confirms) confirm(null);
    await Promise.all([...first, later]);
  });

  it('fails the backlog as unconfirmed when the channel closes', async () => {
    const channel = new FakeChannel(1);
    const [sent, waiting] = send(await publisherOn(channel), 2);
    channel.publish = () => {
      throw new Error('Channel closed');
    };
    channel.emit('close');
    const error = await (waiting as Promise<void>).then(
      () => null,
      (failure: unknown) => failure,
    );
    expect(error).to.have.property('code', 'PUBLISH_UNCONFIRMED');
    (channel.confirms[0] as Confirm)(null);
    await sent;
  });
});
