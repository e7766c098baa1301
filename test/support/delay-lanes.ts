/**
 * Looking into the delay lanes (celery_delayed_0..27) from tests. The lanes are shared by every
 * test and process on the broker, so a test looks for its own message (by its queue, which ends
 * the routing key), never at counts.
 */
import { connect, type GetMessage } from 'amqplib';
import { BROKER_URL } from './broker.js';

/** The lanes a delay of a few seconds can sit in. */
const SHORT_LANES = [0, 1, 2, 3];

export interface LaneSighting {
  lane: string;
  routingKey: string;
  headers: Record<string, unknown>;
}

/**
 * The messages bound for `queue` that sit in the short lanes right now. They are read without
 * acknowledging and handed back when the channel closes, so they carry on through the cascade.
 */
export async function findInLanes(queue: string): Promise<LaneSighting[]> {
  const model = await connect(BROKER_URL);
  try {
    const found: LaneSighting[] = [];
    for (const level of SHORT_LANES) found.push(...(await peekLane(model, `celery_delayed_${level}`, queue)));
    return found;
  } finally {
    await model.close();
  }
}

async function peekLane(
  model: Awaited<ReturnType<typeof connect>>,
  lane: string,
  queue: string,
): Promise<LaneSighting[]> {
  const channel = await model.createChannel();
  channel.on('error', () => undefined); // a lane nobody declared yet is a 404 that closes the channel
  const found: LaneSighting[] = [];
  try {
    for (let message = await channel.get(lane); message; message = await channel.get(lane)) {
      if (message.fields.routingKey.endsWith(`.${queue}`)) found.push(sighting(lane, message));
    }
  } catch {
    return found;
  }
  await channel.close().catch(() => undefined);
  return found;
}

function sighting(lane: string, message: GetMessage): LaneSighting {
  return { lane, routingKey: message.fields.routingKey, headers: message.properties.headers ?? {} };
}
