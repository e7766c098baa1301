/**
 * A monitor's end of `celeryev`, as Celery's EventReceiver: a queue of its own (`celeryev.<uuid>`,
 * transient, auto-delete) bound to the topic exchange, consumed without acks, each message read
 * as one event or a `task.multi` list of them. Re-declared and re-consumed after a reconnect.
 * A message that is not an event is logged and skipped: a monitor never stops on bad input.
 */
import type { ChannelModel, ConsumeMessage } from 'amqplib';
import { errorMeta, type Logger } from '@celeriac/core';
import { decodeEvents, type DecodedEvent } from '@celeriac/protocol';
import type { AmqpConnection } from './connection.js';
import { declareEventQueue, eventQueue } from './topology/index.js';

export interface EventReceiverOptions {
  logger: Logger;
  /** Which events: `#` for all, `task.#` or `worker.#` for one kind. @default '#' */
  bindingKey?: string;
}

export class EventReceiver {
  #stopped = false;

  private constructor(
    private readonly onEvent: (event: DecodedEvent) => void,
    private readonly options: EventReceiverOptions,
  ) {}

  /** Starts receiving; `onEvent` is called for each event in the order the broker delivers them. */
  static async start(
    connection: AmqpConnection,
    onEvent: (event: DecodedEvent) => void,
    options: EventReceiverOptions,
  ): Promise<EventReceiver> {
    const receiver = new EventReceiver(onEvent, options);
    await connection.addSetup((model) => receiver.#consume(model));
    return receiver;
  }

  /** No more events are handed on; the queue goes when the connection closes (auto-delete). */
  stop(): void {
    this.#stopped = true;
  }

  async #consume(model: ChannelModel): Promise<void> {
    const channel = await model.createChannel();
    const spec = eventQueue();
    await declareEventQueue(channel, spec, this.options.bindingKey ?? '#');
    await channel.consume(spec.name, (message) => message && this.#deliver(message), { noAck: true });
  }

  #deliver(message: ConsumeMessage): void {
    if (this.#stopped) return;
    let events: DecodedEvent[];
    try {
      events = decodeEvents(message);
    } catch (error) {
      this.options.logger.log('warn', 'skipping a message on celeryev that is not an event', errorMeta(error));
      return;
    }
    for (const event of events) this.#hand(event);
  }

  #hand(event: DecodedEvent): void {
    try {
      this.onEvent(event);
    } catch (error) {
      this.options.logger.log('error', 'an event listener threw', { type: event.type, ...errorMeta(error) });
    }
  }
}
