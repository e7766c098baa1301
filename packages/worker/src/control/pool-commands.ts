/**
 * `pool_grow`, `pool_shrink` and `autoscale` (reference wave2 §4.3). Every pool changes its
 * number of slots (and a child pool its most children); with autoscale on, grow and shrink move
 * the autoscaler's bounds as Celery's force_scale_up/down do. Without an autoscaler, `autoscale`
 * answers as Celery does: ValueError('Autoscale not enabled').
 */
import { okReply } from '@celeriac/protocol';
import type { Autoscaler } from '../execution/autoscaler.js';
import { countArgument, type ControlArguments } from './arguments.js';
import type { ControlContext, PoolControl } from './control-context.js';
import { ControlUnsupportedError } from './control-errors.js';
import type { ControlCommand } from './inspect-commands.js';

export function poolCommands(ctx: ControlContext): Array<[string, ControlCommand]> {
  return [
    ['pool_grow', (args) => resize(ctx, 'grow', countArgument(args, 'n', 1))],
    ['pool_shrink', (args) => resize(ctx, 'shrink', countArgument(args, 'n', 1))],
    [
      'autoscale',
      (args) => {
        const [max, min] = ctx.pool.autoscale(optionalCount(args, 'max'), optionalCount(args, 'min'));
        ctx.logger.log('info', 'autoscale bounds changed', { max, min });
        return okReply(`autoscale now max=${max} min=${min}`);
      },
    ],
  ];
}

function resize(ctx: ControlContext, how: 'grow' | 'shrink', n: number): unknown {
  if (how === 'grow') ctx.pool.grow(n);
  else ctx.pool.shrink(n);
  ctx.logger.log('info', `pool will ${how}`, { concurrency: ctx.pool.size });
  return okReply(`pool will ${how}`);
}

function optionalCount(args: ControlArguments, name: string): number | null {
  return args[name] === undefined || args[name] === null ? null : countArgument(args, name, 0);
}

/** What the pool commands and `stats` see of the worker's concurrency. */
export interface PoolParts {
  implementation: string;
  /** The slots and the pool's children, resized together. */
  concurrency: { size: number; resize(size: number): void };
  pids: () => readonly number[];
  maxTasksPerChild: number | null;
  autoscaler: Autoscaler | null;
}

export function poolControl(parts: PoolParts): PoolControl {
  const { concurrency, autoscaler } = parts;
  return {
    implementation: parts.implementation,
    get size() {
      return concurrency.size;
    },
    get pids() {
      return parts.pids();
    },
    maxTasksPerChild: parts.maxTasksPerChild,
    get autoscaler() {
      return autoscaler?.info ?? null;
    },
    grow: (n) => (autoscaler ? autoscaler.forceScaleUp(n) : concurrency.resize(concurrency.size + n)),
    shrink: (n) => (autoscaler ? autoscaler.forceScaleDown(n) : concurrency.resize(concurrency.size - n)),
    autoscale: (max, min) => {
      if (!autoscaler) throw new ControlUnsupportedError('Autoscale not enabled');
      return autoscaler.update(max, min);
    },
  };
}
