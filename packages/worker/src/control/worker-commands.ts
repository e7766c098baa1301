/**
 * Commands about the worker itself: `shutdown` (no reply, as Celery's WorkerShutdown is a
 * SystemExit), `heartbeat` (a worker-heartbeat event now, answered null, as Celery) and mingle's
 * `hello` from a starting worker.
 */
import { decodeHelloRevoked, helloReply } from '@celeriac/protocol';
import type { ControlArguments } from './arguments.js';
import type { ControlContext } from './control-context.js';
import { ControlArgumentError } from './control-errors.js';
import type { ControlCommand } from './inspect-commands.js';

/** A command result that sends no reply at all (ControlNode skips it). */
export const NO_REPLY: unique symbol = Symbol('no reply');

export function workerCommands(ctx: ControlContext): Array<[string, ControlCommand]> {
  return [
    ['shutdown', () => shutdown(ctx)],
    ['heartbeat', () => (ctx.heartbeat(), null)],
    ['hello', (args) => hello(ctx, args)],
  ];
}

function shutdown(ctx: ControlContext): typeof NO_REPLY {
  ctx.logger.log('warn', 'shutdown requested by remote control; stopping gracefully');
  // After this message is handled: stopping closes the control consumer that delivered it.
  setImmediate(() => ctx.shutdown());
  return NO_REPLY;
}

/**
 * Celery's `hello`: take the sender's revoked ids, answer ours and our clock. The sender's own
 * copy (it consumes the same fanout) is answered null, and it drops that.
 */
function hello(ctx: ControlContext, args: ControlArguments): unknown {
  if (args.from_node === ctx.nodeName) return null;
  const revoked = decodeHelloRevoked(args.revoked);
  if (revoked === null) throw new ControlArgumentError('Expecting float timestamp or a list of revoked ids');
  ctx.logger.log('info', 'sync with a starting worker', { from: args.from_node, revoked: revoked.length });
  for (const { id, revokedAtMs } of revoked) ctx.revocations.ids.merge(id, revokedAtMs);
  return helloReply(ctx.revocations.ids.entries(), ctx.clock.forward());
}
