import type { TaskMessageInput } from '@celeriac/protocol';
import type { Job } from '../job.js';

/**
 * The message that retries a task, built as Celery's `Task.retry` builds it: the same id, args
 * and workflow (root, group, embed, expires, time limits, shadow, reply_to, priority), `retries`
 * plus one, a new eta (none for a zero countdown), and the task's own id as parent when it had
 * none. Custom headers are not carried over, as in Celery 5.2.
 */
export function retryMessage(job: Job, delayMs: number, now: Date, origin: string): TaskMessageInput {
  const task = job.task;
  return {
    id: task.id,
    name: task.name,
    args: task.args,
    kwargs: task.kwargs,
    embed: task.embed,
    eta: delayMs > 0 ? new Date(now.getTime() + delayMs) : null,
    expires: task.expires,
    retries: task.retries + 1,
    timeLimit: task.timeLimit,
    rootId: task.rootId,
    parentId: task.parentId ?? task.id,
    group: task.group,
    groupIndex: task.groupIndex,
    shadow: task.shadow,
    origin,
    ignoreResult: task.ignoreResult || job.registered.options.ignoreResult,
    replyTo: task.replyTo,
    ...priority(job),
  };
}

/** The priority the broker delivered it with (Celery reads delivery_info), else the message's own. */
function priority(job: Job): { priority?: number } {
  const delivered: unknown = job.delivery.message.properties.priority;
  const value = typeof delivered === 'number' ? delivered : job.task.priority;
  return typeof value === 'number' ? { priority: value } : {};
}
