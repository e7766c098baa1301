/**
 * `pool_grow`, `pool_shrink` and `autoscale` (reference wave2 §4.3). The inline pool changes its
 * number of slots; the threads pool has a fixed set of threads and answers as Celery's threads
 * pool does (AttributeError). Celeriac has no autoscaler.
 */
import { okReply } from '@celeriac/protocol';
import { countArgument } from './arguments.js';
import type { ControlContext, PoolControl } from './control-context.js';
import { ControlUnsupportedError } from './control-errors.js';
import type { ControlCommand } from './inspect-commands.js';

export function poolCommands(ctx: ControlContext): Array<[string, ControlCommand]> {
  return [
    ['pool_grow', (args) => resize(ctx, ctx.pool.size + countArgument(args, 'n', 1), 'grow')],
    ['pool_shrink', (args) => resize(ctx, ctx.pool.size - countArgument(args, 'n', 1), 'shrink')],
    [
      'autoscale',
      () => {
        throw new ControlUnsupportedError('Autoscale not enabled');
      },
    ],
  ];
}

function resize(ctx: ControlContext, size: number, how: 'grow' | 'shrink'): unknown {
  ctx.pool.resize(size);
  ctx.logger.log('info', `pool will ${how}`, { concurrency: ctx.pool.size });
  return okReply(`pool will ${how}`);
}

/** The inline pool's slots resize; a threads pool refuses, naming itself as Celery's does. */
export function slotsPoolControl(
  implementation: string,
  slots: { size: number; resize(size: number): void },
  resizable: boolean,
): PoolControl {
  return {
    implementation,
    get size() {
      return slots.size;
    },
    resize: (size) => {
      if (!resizable)
        throw new ControlUnsupportedError(`'${implementation}' pool has a fixed number of threads`, 'AttributeError');
      slots.resize(size);
    },
  };
}
