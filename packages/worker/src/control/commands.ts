/**
 * The remote-control commands a Celeriac worker answers, with Celery 5.2's names, arguments and
 * replies (reference §6.3). Everything else is answered `{error: "KeyError('<name>')"}` by the
 * node, as a Celery worker answers a command it does not know.
 */
import { okReply, revokeTaskIds } from '@celeriac/protocol';
import type { Logger } from '@celeriac/core';
import type { TaskEventsSwitch } from '../events/task-events.js';
import { eventCommands } from './event-commands.js';
import type { Revocations } from './revocations.js';

export type ControlCommand = (args: Readonly<Record<string, unknown>>) => unknown;

/** Thrown for arguments a command cannot use; the requester gets `{error: ...}`. */
export class ControlArgumentError extends Error {
  override name = 'ValueError';
}

export function controlCommands(
  revocations: Revocations,
  logger: Logger,
  events?: TaskEventsSwitch,
): ReadonlyMap<string, ControlCommand> {
  return new Map<string, ControlCommand>([
    // Cheap, and what `celery inspect ping` and `celery status` ask for.
    ['ping', () => okReply('pong')],
    ['revoke', (args) => revoke(revocations, logger, taskIds(args.task_id), args.terminate === true)],
    ['terminate', (args) => revoke(revocations, logger, taskIds(args.task_id), true)],
    ['revoked', () => revocations.ids.ids()],
    ...(events ? eventCommands(events, logger) : []),
  ]);
}

/** Celery's `revoke`: remember the ids; with terminate, abort their runs and say which. */
function revoke(revocations: Revocations, logger: Logger, ids: string[], terminate: boolean): unknown {
  const terminated = revocations.revoke(ids, terminate);
  if (terminate) {
    logger.log('info', 'tasks revoked with terminate', { taskIds: ids, terminated });
    return okReply(terminated.length === 0 ? 'terminate: tasks unknown' : `terminate: ${terminated.join(', ')}`);
  }
  logger.log('info', 'tasks flagged as revoked', { taskIds: ids });
  return okReply(`tasks ${ids.join(', ')} flagged as revoked`);
}

/** `task_id` is one id or a list of them (Celery's `maybe_list`, read by protocol); duplicates count once. */
function taskIds(value: unknown): string[] {
  const ids = revokeTaskIds(value);
  if (ids === null) throw new ControlArgumentError('task_id must be a task id or a list of task ids');
  return ids;
}
