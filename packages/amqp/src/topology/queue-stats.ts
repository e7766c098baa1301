/**
 * Depth and consumers of named queues by passive declare, for monitors (the dashboard's queues
 * view when the management API is off). A passive declare of a missing queue is a 404 that
 * closes its channel, so each queue is asked on a throwaway channel and a missing one is reported,
 * never created.
 */
import type { ChannelModel } from 'amqplib';
import { onThrowawayChannel } from './conflicts.js';

export interface QueueStats {
  name: string;
  /** Ready messages (the broker's count for a passive declare excludes unacknowledged ones). */
  messages: number | null;
  consumers: number | null;
  /** False when the broker has no such queue. */
  exists: boolean;
}

export async function queueStats(model: ChannelModel, names: readonly string[]): Promise<QueueStats[]> {
  const stats: QueueStats[] = [];
  for (const name of names) stats.push(await statsOf(model, name));
  return stats;
}

async function statsOf(model: ChannelModel, name: string): Promise<QueueStats> {
  try {
    const { messageCount, consumerCount } = await onThrowawayChannel(model, (channel) => channel.checkQueue(name));
    return { name, messages: messageCount, consumers: consumerCount, exists: true };
  } catch (error) {
    if ((error as { code?: unknown } | null)?.code !== 404) throw error;
    return { name, messages: null, consumers: null, exists: false };
  }
}
