/**
 * Beat's queues: the leader lock and the control queue of schedule commands, per beat group.
 * Celeriac's own (Python's beat has neither), so no peer declares them otherwise.
 */
import { ConfigurationError } from '@celeriac/core';
import { lockQueue, typeArguments, type QueueSpec, type QueueType } from './queues.js';

/** Held (exclusive) by the leading beat of the default group; other beats retry declaring it every second. */
export const BEAT_LEADER_QUEUE = 'celeriac.beat.leader';
/** Runtime schedule edits for the leading beat of the default group (client.schedules → beat). */
export const BEAT_CONTROL_QUEUE = 'celeriac.beat.control';

/**
 * A beat group: the beats that share one leader lock and one control queue. Several
 * applications (or test runs) on one vhost each use a group of their own; `null`, the default
 * group, keeps the names above. A group `reports` uses `celeriac.beat.reports.leader` and
 * `celeriac.beat.reports.control`.
 */
export type BeatGroup = string | null;

const BEAT_GROUP_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/;

/** The group name checked: letters, digits, `_`, `.`, `-`, at most 100 characters. */
export function beatGroup(name: string | null | undefined): BeatGroup {
  if (name === null || name === undefined || name === '') return null;
  if (typeof name === 'string' && BEAT_GROUP_NAME.test(name)) return name;
  throw new ConfigurationError(
    `invalid beat group ${JSON.stringify(name)}: expected letters, digits, '_', '.' or '-' (at most 100 characters)`,
  );
}

function beatQueueName(group: BeatGroup, role: 'leader' | 'control'): string {
  return group === null ? `celeriac.beat.${role}` : `celeriac.beat.${group}.${role}`;
}

/** The leader lock: exclusive, so the broker deletes it when its beat's connection dies. */
export function beatLeaderQueue(group: BeatGroup = null): QueueSpec {
  return lockQueue(beatQueueName(group, 'leader'));
}

/**
 * Durable, so edits sent while no beat leads wait for the next leader (each carries a TTL); of
 * the application's queue type, because a classic queue lives on one cluster node and a new
 * leader cannot declare it while that node is down. Adoptable: a control queue an older beat
 * declared as the other type is used as it is.
 */
export function beatControlQueue(group: BeatGroup = null, type: QueueType = 'classic'): QueueSpec {
  return {
    name: beatQueueName(group, 'control'),
    type,
    durable: true,
    autoDelete: false,
    exclusive: false,
    arguments: typeArguments(type),
    exchange: null,
    adoptable: true,
  };
}
