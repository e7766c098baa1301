/**
 * A static schedule (from a schedule file or BeatOptions.schedules) compiled once, when the Beat
 * is built, so a typo stops the start before it connects. The merge into the store reuses that
 * compiled definition: compiling 100,000 schedules a second time in the merge was a tenth of a
 * CLI beat's start-up.
 */
import { compileScheduleInput, type ScheduleDefinition, type ScheduleEntry, type ScheduleInput } from '@celeriac/core';

export interface StaticSchedule {
  definition: ScheduleDefinition;
  /** The input gave no `enabled`: a stored schedule keeps its own (a runtime disable survives a restart). */
  keepsEnabled: boolean;
  /** An interval given without an anchor: a stored interval keeps its anchor, so a restart does not move its slots. */
  keepsAnchor: boolean;
}

/** Validates `input` (InvalidArgumentError naming the schedule); `now` anchors an interval given without one. */
export function compileStatic(input: ScheduleInput, now: Date): StaticSchedule {
  const definition = compileScheduleInput(input, now);
  const keepsAnchor =
    definition.schedule.kind === 'interval' &&
    input.schedule.kind === 'interval' &&
    input.schedule.anchor === undefined;
  return { definition, keepsEnabled: input.enabled === undefined, keepsAnchor };
}

/** The definition to store for `schedule` when `existing` is stored under its name: what the input left out stays as stored. */
export function withStoredParts(schedule: StaticSchedule, existing: ScheduleEntry): ScheduleDefinition {
  const { definition } = schedule;
  const enabled = schedule.keepsEnabled ? existing.enabled : definition.enabled;
  const stored = existing.schedule;
  const spec =
    schedule.keepsAnchor && stored.kind === 'interval' && definition.schedule.kind === 'interval'
      ? { ...definition.schedule, anchor: stored.anchor }
      : definition.schedule;
  return enabled === definition.enabled && spec === definition.schedule
    ? definition
    : { ...definition, enabled, schedule: spec };
}
