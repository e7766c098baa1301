import type { Channel, Message } from 'amqplib';

/**
 * The acks of one consume channel, coalesced per turn of the event loop: the acks of a turn that
 * lie below the oldest delivery still running go out as a single `basic.ack multiple`, the rest
 * as single acks. Every ack frame was a socket write of its own; a worker draining no-op tasks
 * spent a quarter of its CPU writing acks one by one.
 *
 * A multiple ack never covers a delivery still running (a crash can only redeliver tasks that
 * were in flight), and names a tag acked in this turn, so one the broker still holds. Deliveries
 * below it that were settled earlier are skipped by the broker. Only the running deliveries are
 * remembered: a task running for hours costs nothing. An ack is delayed by at most one turn of
 * the event loop (see acksOnTheWire in @celeriac/worker).
 */
export class AckBatcher {
  /** Delivered and not settled, in delivery order (the broker numbers tags upwards per channel). */
  readonly #running = new Set<number>();
  #acked: Message[] = [];
  #scheduled = false;
  #closed = false;

  constructor(
    private readonly channel: Channel,
    /** A flush on a channel that closed meanwhile fails; the broker requeues those deliveries itself. */
    private readonly onError: (error: unknown) => void,
  ) {}

  /** The channel closed: its deliveries are back in their queues and nothing can be settled. */
  markClosed(): void {
    this.#closed = true;
  }

  get closed(): boolean {
    return this.#closed;
  }

  received(message: Message): void {
    this.#running.add(message.fields.deliveryTag);
  }

  ack(message: Message): void {
    this.#running.delete(message.fields.deliveryTag);
    this.#acked.push(message);
    if (this.#scheduled) return;
    this.#scheduled = true;
    setImmediate(() => this.#flushSafely());
  }

  /** A nack goes out at once, after the acks issued before it. */
  nack(message: Message, requeue: boolean): void {
    this.flush();
    this.#running.delete(message.fields.deliveryTag);
    this.channel.nack(message, false, requeue);
  }

  /** Sends the acks issued so far; throws what amqplib throws on a closed channel. */
  flush(): void {
    this.#scheduled = false;
    const acked = this.#acked;
    if (acked.length === 0) return;
    this.#acked = [];
    const oldestRunning = this.#oldestRunning();
    let highestBelow: Message | null = null;
    for (const message of acked) {
      const tag = message.fields.deliveryTag;
      if (tag > oldestRunning) this.channel.ack(message);
      else if (!highestBelow || tag > highestBelow.fields.deliveryTag) highestBelow = message;
    }
    if (highestBelow) this.channel.ack(highestBelow, true);
  }

  #oldestRunning(): number {
    for (const tag of this.#running) return tag;
    return Number.POSITIVE_INFINITY;
  }

  #flushSafely(): void {
    try {
      this.flush();
    } catch (error) {
      this.onError(error);
    }
  }
}
