/**
 * Leases for running tasks handed over near the broker's consumer timeout (consumer-timeout.ts):
 * a confirmed copy of the task in a queue of its own (@celeriac/amqp's LeaseQueue) that returns to
 * the task's queue unless the worker renews it.
 */
import { countedHeaders, readDeliveries } from '@celeriac/protocol';
import { LeaseQueue, copyProperties, type AmqpConnection, type ConfirmPublisher } from '@celeriac/amqp';
import type { Job } from '../job.js';

/** A copy of a running task held outside the consumer (see LeaseQueue). */
export interface Lease {
  readonly name: string;
  renew(): Promise<boolean>;
  release(): Promise<void>;
  returnNow(): Promise<void>;
}

export type OpenLease = (job: Job, leaseMs: number) => Promise<Lease>;

/** Leases on the broker: on the publishing connection, the copy counting one more lost delivery. */
export function brokerLeases(connection: AmqpConnection, publisher: ConfirmPublisher): OpenLease {
  return (job, leaseMs) => {
    const { message, queue } = job.delivery;
    const { headers } = message.properties;
    // If the copy ever comes back, the run it stands for ended without an ack, as a killed worker's.
    const copied = {
      ...copyProperties(message.properties),
      headers: countedHeaders(headers, readDeliveries(headers) + 1, true),
    };
    return LeaseQueue.open(connection, publisher, {
      origin: queue,
      body: message.content,
      properties: copied,
      leaseMs,
    });
  };
}
