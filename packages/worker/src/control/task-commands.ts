/**
 * Commands about tasks: `revoke`, `terminate` (Celery 5.2's replies, reference §6.3) and
 * `time_limit` (wave2 §4.3). Rate limits belong with the rate-limit gate.
 */
import { okReply, revokeTaskIds } from '@celeriac/protocol';
import { secondsArgument, type ControlArguments } from './arguments.js';
import type { ControlContext } from './control-context.js';
import { ControlArgumentError } from './control-errors.js';
import type { ControlCommand } from './inspect-commands.js';

export function taskCommands(ctx: ControlContext): Array<[string, ControlCommand]> {
  return [
    ['revoke', (args) => revoke(ctx, taskIds(args.task_id), args.terminate === true)],
    ['terminate', (args) => revoke(ctx, taskIds(args.task_id), true)],
    ['time_limit', (args) => timeLimit(ctx, args)],
  ];
}

/** Celery's `revoke`: remember the ids; with terminate, abort their runs and say which. */
function revoke(ctx: ControlContext, ids: string[], terminate: boolean): unknown {
  const terminated = ctx.revocations.revoke(ids, terminate);
  if (terminate) {
    ctx.logger.log('info', 'tasks revoked with terminate', { taskIds: ids, terminated });
    return okReply(terminated.length === 0 ? 'terminate: tasks unknown' : `terminate: ${terminated.join(', ')}`);
  }
  ctx.logger.log('info', 'tasks flagged as revoked', { taskIds: ids });
  return okReply(`tasks ${ids.join(', ')} flagged as revoked`);
}

/** `task_id` is one id or a list of them (Celery's `maybe_list`, read by protocol); duplicates count once. */
function taskIds(value: unknown): string[] {
  const ids = revokeTaskIds(value);
  if (ids === null) throw new ControlArgumentError('task_id must be a task id or a list of task ids');
  return ids;
}

/** Celery sets both limits of the task, a missing one to none; a message's `timelimit` still wins. */
function timeLimit(ctx: ControlContext, args: ControlArguments): unknown {
  const name = args.task_name;
  const task = typeof name === 'string' ? ctx.tasks.get(name) : undefined;
  if (!task) {
    ctx.logger.log('warn', 'time limit change for an unknown task', { task: name });
    return { error: 'unknown task' };
  }
  const limits = { timeLimitMs: secondsArgument(args, 'hard'), softTimeLimitMs: secondsArgument(args, 'soft') };
  ctx.timeLimits.set(task.name, limits);
  ctx.logger.log('info', 'time limits set', { task: task.name, ...limits });
  return okReply('time limits set successfully');
}
