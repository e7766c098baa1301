/**
 * `celeriac schedule` flags → the schedule spec and input they describe. Only the shape is
 * checked here (exactly one kind, known durations); cron expressions, zones and dates are
 * checked by core's compileScheduleInput, the same code beat runs when a schedule is added.
 */
import type { MissedRunPolicy, ScheduleInput, ScheduleSpec, ScheduleTaskOptions } from '@celeriac/core';
import { UsageError } from '../errors.js';
import type { Settings } from '../settings.js';
import { jsonArray, jsonObject } from './call.js';
import { parseDuration } from './durations.js';

export const POLICIES: readonly MissedRunPolicy[] = ['skip', 'once', 'all'];

type Kind = 'cron' | 'every' | 'at';

/** The spec of --cron [--tz] | --every | --at; exactly one kind, `allowed` limits which. */
export function specFromFlags(settings: Settings, allowed: readonly Kind[]): ScheduleSpec {
  const kind = onlyKind(settings, allowed);
  if (kind !== 'cron' && settings.string('tz') !== undefined) throw new UsageError('--tz applies to --cron only');
  if (kind === 'cron')
    return { kind: 'cron', expression: settings.string('cron') ?? '', timezone: settings.string('tz') ?? 'UTC' };
  if (kind === 'every')
    return {
      kind: 'interval',
      everyMs: parseDuration(settings.string('every') ?? '', settings.origin('every') ?? '--every'),
    };
  return { kind: 'once', at: settings.string('at') ?? '' };
}

function onlyKind(settings: Settings, allowed: readonly Kind[]): Kind {
  const given = allowed.filter((kind) => settings.origin(kind) !== undefined);
  const flags = allowed.map((kind) => `--${kind}`).join(allowed.length > 2 ? ', ' : ' or ');
  if (given.length === 1 && given[0] !== undefined) return given[0];
  throw new UsageError(
    given.length === 0
      ? `give one of ${flags}`
      : `give only one of ${flags}, not ${given.map((kind) => `--${kind}`).join(' and ')}`,
  );
}

/** `schedule add|update <name>`: the whole input, as a client would pass it to client.schedules.add. */
export function inputFromFlags(name: string, settings: Settings): ScheduleInput {
  const input: ScheduleInput = {
    name,
    task: settings.requiredString('task', '--task', 'CELERIAC_TASK'),
    schedule: specFromFlags(settings, ['cron', 'every', 'at']),
    args: jsonArray(settings),
    kwargs: jsonObject(settings),
    options: taskOptions(settings),
    enabled: !(settings.boolean('disabled') ?? false),
  };
  const policy = settings.choice('policy', POLICIES);
  return policy === undefined ? input : { ...input, missedRuns: policy };
}

function taskOptions(settings: Settings): ScheduleTaskOptions {
  const options: ScheduleTaskOptions = {
    queue: settings.string('queue'),
    priority: settings.integer('priority', 0, 255),
    expires: settings.seconds('expires'),
  };
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined));
}
