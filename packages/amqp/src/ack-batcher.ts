import type { Channel, Message } from 'amqplib';

type Settle = 'pending' | 'acked' | 'gone';

/**
 * The acks of one consume channel, coalesced per turn of the event loop: the longest run of
 * settled deliveries from the oldest outstanding one goes out as a single `basic.ack multiple`,
 * the rest as single acks. Every ack frame is a socket write of its own in amqplib; a worker
 * draining no-op tasks spent a quarter of its CPU writing acks one by one.
 *
 * Only deliveries the caller settled are ever acked: a multiple ack stops before the first one
 * still running, so a crash can only redeliver tasks that were in flight. An ack is delayed by at
 * most one turn of the event loop (see acksOnTheWire in @celeriac/worker).
 */
export class AckBatcher {
  /** Delivery tags in arrival order (the broker numbers them upwards per channel), from #head on. */
  #order: number[] = [];
  #head = 0;
  readonly #state = new Map<number, Settle>();
  readonly #acked: Message[] = [];
  #scheduled = false;
  /** Set when the channel closes: its deliveries are back in their queues, nothing can be settled. */
  closed = false;

  constructor(
    private readonly channel: Channel,
    /** A flush on a channel that closed meanwhile fails; the broker requeues those deliveries itself. */
    private readonly onError: (error: unknown) => void,
  ) {}

  received(message: Message): void {
    this.#order.push(message.fields.deliveryTag);
    this.#state.set(message.fields.deliveryTag, 'pending');
  }

  ack(message: Message): void {
    this.#state.set(message.fields.deliveryTag, 'acked');
    this.#acked.push(message);
    if (this.#scheduled) return;
    this.#scheduled = true;
    setImmediate(() => this.#flushSafely());
  }

  #flushSafely(): void {
    try {
      this.flush();
    } catch (error) {
      this.onError(error);
    }
  }

  /** A nack goes out at once, after the acks issued before it. */
  nack(message: Message, requeue: boolean): void {
    this.flush();
    this.#state.set(message.fields.deliveryTag, 'gone');
    this.channel.nack(message, false, requeue);
  }

  /** Sends the acks issued so far; throws what amqplib throws on a closed channel. */
  flush(): void {
    this.#scheduled = false;
    if (this.#acked.length === 0) return;
    const last = this.#settledRun();
    if (last) this.channel.ack(last, true);
    for (const message of this.#acked.splice(0)) {
      if (this.#state.get(message.fields.deliveryTag) !== 'acked') continue;
      this.#state.set(message.fields.deliveryTag, 'gone');
      this.channel.ack(message);
    }
    this.#compact();
  }

  /** Walks past settled deliveries from the oldest; returns the last acked one passed, marking the run gone. */
  #settledRun(): Message | null {
    let last: Message | null = null;
    const byTag = new Map(this.#acked.map((message) => [message.fields.deliveryTag, message]));
    for (; this.#head < this.#order.length; this.#head++) {
      const tag = this.#order[this.#head] as number;
      const state = this.#state.get(tag);
      if (state === 'pending') break;
      if (state === 'acked') last = byTag.get(tag) ?? last;
      this.#state.delete(tag);
    }
    return last;
  }

  /** Drops the walked-past part of the order list now and then, so it does not grow for ever. */
  #compact(): void {
    if (this.#head < 1024 || this.#head * 2 < this.#order.length) return;
    this.#order = this.#order.slice(this.#head);
    this.#head = 0;
  }
}
