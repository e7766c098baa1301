/**
 * `add_consumer` and `cancel_consumer` (reference wave2 §4.3). As in Celery, the reply comes
 * before the consume is attempted: a queue that cannot be consumed is logged, not answered.
 */
import { errorMeta } from '@celeriac/core';
import { okReply } from '@celeriac/protocol';
import { optionalString, stringArgument, type ControlArguments } from './arguments.js';
import type { ControlContext } from './control-context.js';
import type { ControlCommand } from './inspect-commands.js';

export function consumerCommands(ctx: ControlContext): Array<[string, ControlCommand]> {
  return [
    ['add_consumer', (args) => addConsumer(ctx, args)],
    ['cancel_consumer', (args) => cancelConsumer(ctx, stringArgument(args, 'queue'))],
  ];
}

function addConsumer(ctx: ControlContext, args: ControlArguments): unknown {
  const queue = stringArgument(args, 'queue');
  const request = {
    queue,
    exchange: optionalString(args, 'exchange'),
    exchangeType: optionalString(args, 'exchange_type') ?? 'direct',
    routingKey: optionalString(args, 'routing_key'),
  };
  ctx.consumers.add(request).then(
    (added) => ctx.logger.log('info', added ? 'started consuming' : 'already consuming', { queue }),
    (error: unknown) => ctx.logger.log('error', 'could not consume the queue', { queue, ...errorMeta(error) }),
  );
  return okReply(`add consumer ${queue}`);
}

function cancelConsumer(ctx: ControlContext, queue: string): unknown {
  ctx.consumers.cancel(queue).then(
    (cancelled) => ctx.logger.log('info', cancelled ? 'stopped consuming' : 'was not consuming', { queue }),
    (error: unknown) => ctx.logger.log('error', 'could not stop consuming the queue', { queue, ...errorMeta(error) }),
  );
  return okReply(`no longer consuming from ${queue}`);
}
