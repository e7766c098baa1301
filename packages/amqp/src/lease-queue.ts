/**
 * A lease: how a worker keeps a task that runs longer than the broker's consumer timeout
 * without holding its delivery unacknowledged (past that timeout RabbitMQ closes the channel,
 * with every other unacknowledged task on it).
 *
 * A durable queue of its own, `celeriac.lease.<random>`, holds one copy of the task message
 * with a per-message TTL (`leaseMs`) and dead-letters it, through the default exchange, back to
 * the task's queue when the TTL passes. The worker renews the lease well before that (a fresh
 * copy in, the older one out), releases it when the task is settled (the queue is deleted, copy
 * and all) or returns the copy to the task's queue at once (a requeue). A worker that dies stops
 * renewing: within `leaseMs` the copy is back in the task's queue and runs elsewhere; nothing
 * is lost. The queue expires (`x-expires`) two leases after its last use, once its copy has
 * gone back, so a dead worker leaves nothing behind.
 *
 * A narrow broker user needs configure, write and read on `celeriac\.lease\..*`.
 */
import { randomUUID } from 'node:crypto';
import type { AmqpConnection } from './connection.js';
import type { ConfirmPublisher, PublishProperties } from './publisher.js';
import { DEFAULT_EXCHANGE, onThrowawayChannel } from './topology/index.js';

export const LEASE_QUEUE_PREFIX = 'celeriac.lease.';
/** The queue outlives its copy's TTL by this many leases, then expires unused. */
const EXPIRES_IN_LEASES = 2;

export interface LeaseOptions {
  /** The queue the copy returns to when the lease ends without renewal. */
  origin: string;
  body: Buffer;
  /** The copy's properties (headers included); the TTL is added here. */
  properties: PublishProperties;
  /** How long a copy stays in the lease queue before it goes back, unless renewed. */
  leaseMs: number;
}

export class LeaseQueue {
  private constructor(
    readonly name: string,
    private readonly connection: AmqpConnection,
    private readonly publisher: Pick<ConfirmPublisher, 'publish'>,
    private readonly options: LeaseOptions,
  ) {}

  /** Declares the lease queue and puts the first copy in (confirmed). */
  static async open(
    connection: AmqpConnection,
    publisher: Pick<ConfirmPublisher, 'publish'>,
    options: LeaseOptions,
  ): Promise<LeaseQueue> {
    const lease = new LeaseQueue(`${LEASE_QUEUE_PREFIX}${randomUUID()}`, connection, publisher, options);
    const model = await connection.current();
    await onThrowawayChannel(model, (channel) =>
      channel.assertQueue(lease.name, {
        durable: true,
        arguments: {
          'x-queue-type': 'classic',
          'x-dead-letter-exchange': DEFAULT_EXCHANGE,
          'x-dead-letter-routing-key': options.origin,
          'x-expires': Math.ceil(options.leaseMs * EXPIRES_IN_LEASES),
        },
      }),
    );
    await lease.#put();
    return lease;
  }

  /**
   * Takes the current copy out and puts a fresh one in. False when there was none: the lease
   * had ended (the copy is back in the task's queue), so no new copy is put in.
   */
  async renew(): Promise<boolean> {
    const model = await this.connection.current();
    return onThrowawayChannel(model, async (channel) => {
      const current = await channel.get(this.name, { noAck: false });
      if (current === false) return false;
      // The fresh copy is confirmed before the old one goes: a crash in between leaves two.
      await this.#put();
      channel.ack(current);
      return true;
    });
  }

  /** The task is settled: the lease queue goes, with its copy. */
  async release(): Promise<void> {
    const model = await this.connection.current();
    await onThrowawayChannel(model, (channel) => channel.deleteQueue(this.name));
  }

  /** The task goes back to its queue now (a copy, confirmed), then the lease is released. */
  async returnNow(): Promise<void> {
    const { origin, body, properties } = this.options;
    await this.publisher.publish(DEFAULT_EXCHANGE, origin, body, { ...properties, persistent: true });
    await this.release();
  }

  #put(): Promise<void> {
    const { body, properties, leaseMs } = this.options;
    return this.publisher.publish(DEFAULT_EXCHANGE, this.name, body, {
      ...properties,
      expiration: String(Math.ceil(leaseMs)),
      persistent: true,
    });
  }
}
