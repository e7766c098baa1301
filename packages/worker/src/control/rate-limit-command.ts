/**
 * Celery's `control rate_limit` (celery/worker/control.py): a new per-worker limit for one task
 * name, at run time. The rate is read before the task is looked up, as Celery does, so a bad
 * unit is reported even for an unknown task. Replies are Celery's, word for word (reference §4.3).
 */
import { RateLimitError, parseRateLimit, type Logger, type RateLimit } from '@celeriac/core';
import { okReply } from '@celeriac/protocol';
import type { RateLimits } from '../gates/rate-limits.js';
import type { TaskRegistry } from '../task-registry.js';
import type { ControlCommand } from './inspect-commands.js';

export function rateLimitCommand(limits: RateLimits, tasks: Pick<TaskRegistry, 'get'>, logger: Logger): ControlCommand {
  return (args) => setRateLimit(limits, tasks, logger, String(args.task_name), args.rate_limit as RateLimit | null);
}

function setRateLimit(
  limits: RateLimits,
  tasks: Pick<TaskRegistry, 'get'>,
  logger: Logger,
  name: string,
  limit: RateLimit | null,
): unknown {
  const refused = validate(limit);
  if (refused) return refused;
  if (!tasks.get(name)) {
    logger.log('error', 'rate limit for an unknown task', { task: name });
    return { error: 'unknown task' };
  }
  limits.set(name, limit || null);
  logger.log('info', limit ? 'new rate limit' : 'rate limit disabled', { task: name, rateLimit: limit });
  return okReply(limit ? 'new rate limit set successfully' : 'rate limit disabled successfully');
}

/** Celery answers a bad count with `Invalid rate limit string: ValueError(...)`, a bad unit with the bare KeyError. */
function validate(limit: RateLimit | null): { error: string } | null {
  try {
    parseRateLimit(limit);
    return null;
  } catch (error) {
    if (!(error instanceof RateLimitError)) throw error;
    if (error.code === 'RATE_LIMIT_INVALID_UNIT') return { error: error.pythonRepr };
    return { error: `Invalid rate limit string: ${error.pythonRepr}` };
  }
}
