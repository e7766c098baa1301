/**
 * Queues: from RabbitMQ's management API when it is configured (depth, ready and unacked,
 * consumers, publish/deliver/ack rates), else from passive declares of the known queues (the
 * configured ones and those the workers consume from): depth and consumers only.
 */
import type { FastifyInstance } from 'fastify';
import { queueStats } from '@celeriac/amqp';
import type { RouteContext } from '../context.js';

export interface QueueRow {
  name: string;
  exists: boolean;
  messages: number | null;
  ready: number | null;
  unacked: number | null;
  consumers: number | null;
  publishRate: number | null;
  deliverRate: number | null;
  ackRate: number | null;
}

interface ManagementQueue {
  name: string;
  messages?: number;
  messages_ready?: number;
  messages_unacknowledged?: number;
  consumers?: number;
  message_stats?: Record<string, { rate?: number } | number | undefined>;
}

const MANAGEMENT_TIMEOUT_MS = 3000;

export function registerQueueRoutes(app: FastifyInstance, context: RouteContext): void {
  app.get('/api/queues', { schema: { summary: 'Queue depths and consumers' } }, async () => {
    const { managementUrl } = context.options;
    if (managementUrl !== null) {
      const rows = await fromManagement(managementUrl).catch(() => null);
      if (rows !== null) return { source: 'management', queues: rows };
    }
    return { source: 'passive', queues: await passively(context) };
  });
}

async function fromManagement(base: URL): Promise<QueueRow[]> {
  const url = new URL('api/queues', base.href.endsWith('/') ? base : `${base.href}/`);
  const credentials = `${decodeURIComponent(base.username)}:${decodeURIComponent(base.password)}`;
  url.username = '';
  url.password = '';
  const response = await fetch(url, {
    headers: { authorization: `Basic ${Buffer.from(credentials).toString('base64')}` },
    signal: AbortSignal.timeout(MANAGEMENT_TIMEOUT_MS),
  });
  if (!response.ok) throw new Error(`management API answered ${response.status}`);
  return ((await response.json()) as ManagementQueue[]).map(managementRow);
}

function managementRow(queue: ManagementQueue): QueueRow {
  const rate = (name: string) => {
    const details = queue.message_stats?.[`${name}_details`];
    return typeof details === 'object' && typeof details.rate === 'number' ? details.rate : null;
  };
  return {
    name: queue.name,
    exists: true,
    messages: queue.messages ?? null,
    ready: queue.messages_ready ?? null,
    unacked: queue.messages_unacknowledged ?? null,
    consumers: queue.consumers ?? null,
    publishRate: rate('publish'),
    deliverRate: rate('deliver_get'),
    ackRate: rate('ack'),
  };
}

async function passively({ fleet, options }: RouteContext): Promise<QueueRow[]> {
  const inspected = await fleet.inspect().catch(() => ({}));
  const names = new Set([...options.queues, ...Object.values(inspected).flatMap((worker) => worker.queues)]);
  const stats = await queueStats(await fleet.connection.current(), [...names].sort());
  return stats.map(({ name, exists, messages, consumers }) => ({
    name,
    exists,
    messages,
    ready: messages,
    unacked: null,
    consumers,
    publishRate: null,
    deliverRate: null,
    ackRate: null,
  }));
}
