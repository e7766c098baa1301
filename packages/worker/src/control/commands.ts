/**
 * The remote-control commands a Celeriac worker answers, with Celery's names, arguments and
 * replies, one group per file. Everything else is answered `{error: "KeyError('<name>')"}` by
 * the node, as a Celery worker answers a command it does not know.
 */
import type { ControlContext } from './control-context.js';
import { consumerCommands } from './consumer-commands.js';
import { eventCommands } from './event-commands.js';
import { inspectCommands, type ControlCommand } from './inspect-commands.js';
import { poolCommands } from './pool-commands.js';
import { rateLimitCommand } from './rate-limit-command.js';
import { taskCommands } from './task-commands.js';
import { workerCommands } from './worker-commands.js';

export type { ControlCommand };
export { ControlArgumentError } from './control-errors.js';

export function controlCommands(ctx: ControlContext): ReadonlyMap<string, ControlCommand> {
  return new Map<string, ControlCommand>([
    ...inspectCommands(ctx),
    ...taskCommands(ctx),
    ...consumerCommands(ctx),
    ...poolCommands(ctx),
    ...workerCommands(ctx),
    ...eventCommands(ctx.events, ctx.logger),
    ['rate_limit', rateLimitCommand(ctx.rateLimits, ctx.tasks, ctx.logger)],
  ]);
}
