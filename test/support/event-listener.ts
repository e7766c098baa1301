/**
 * A monitor for tests: a private auto-delete queue bound to `celeryev` (declared by Celeriac's
 * topology, as Celery declares a receiver's queue), collecting every event with the message it
 * came in, so tests can assert routing keys and properties as well as fields.
 */
import { connect, type ChannelModel, type ConsumeMessage } from 'amqplib';
import { declareEventQueue, eventQueue } from '@celeriac/amqp';
import { decodeEvents, fromFieldValue, type DecodedEvent } from '@celeriac/protocol';
import { BROKER_URL, eventually, uniqueName } from './broker.js';

export interface ReceivedEvent {
  event: DecodedEvent;
  routingKey: string;
  deliveryMode: unknown;
  contentType: unknown;
  hostnameHeader: unknown;
}

export class EventListener {
  readonly received: ReceivedEvent[] = [];

  private constructor(private readonly model: ChannelModel) {}

  static async start(bindingKey = '#'): Promise<EventListener> {
    const model = await connect(BROKER_URL);
    const listener = new EventListener(model);
    const channel = await model.createChannel();
    const spec = eventQueue(uniqueName('celeryev'));
    await declareEventQueue(channel, spec, bindingKey);
    await channel.consume(spec.name, (message) => message && listener.#take(message), { noAck: true });
    return listener;
  }

  /** Events sent by one node, in arrival order. */
  of(hostname: string, type?: string): DecodedEvent[] {
    return this.received
      .map(({ event }) => event)
      .filter((event) => event.hostname === hostname && (type === undefined || event.type === type));
  }

  /** Events about one task, in arrival order. */
  task(uuid: string): DecodedEvent[] {
    return this.received.map(({ event }) => event).filter((event) => event.uuid === uuid);
  }

  /** Waits for the first event about `uuid` of this type. */
  waitTask(uuid: string, type: string, timeoutMs = 10_000): Promise<DecodedEvent> {
    return eventually(() => this.task(uuid).find((event) => event.type === type), timeoutMs);
  }

  /** Waits until `hostname` has sent `count` events of this type. */
  waitFrom(hostname: string, type: string, count = 1, timeoutMs = 10_000): Promise<DecodedEvent[]> {
    return eventually(() => {
      const events = this.of(hostname, type);
      return events.length >= count ? events : undefined;
    }, timeoutMs);
  }

  message(event: DecodedEvent): ReceivedEvent | undefined {
    return this.received.find((received) => received.event === event);
  }

  async close(): Promise<void> {
    await this.model.close();
  }

  #take(message: ConsumeMessage): void {
    const { routingKey } = message.fields;
    const { deliveryMode, contentType, headers } = message.properties;
    const hostnameHeader = fromFieldValue(headers?.hostname);
    for (const event of decodeEvents(message))
      this.received.push({ event, routingKey, deliveryMode, contentType, hostnameHeader });
  }
}
