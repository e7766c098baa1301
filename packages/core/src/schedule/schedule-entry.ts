/**
 * Building schedule entries, always through one object literal with the same keys in the same
 * order. V8 gives objects made by spreading (`{ ...entry, lastSlot }`) a hidden class of their own
 * each, about 600 bytes per entry that 100,000 schedules pay for nothing; objects from this
 * literal share one.
 */
import type { ScheduleDefinition, ScheduleEntry, ScheduleState } from '@celeriac/protocol';

/** The parts of an entry that change without an edit of its definition. */
export type EntryChanges = Partial<ScheduleState & Pick<ScheduleEntry, 'enabled' | 'updatedAt'>>;

interface Stamps {
  createdAt: string;
  updatedAt: string;
}

/** `enabled` defaults to the definition's; updateEntry passes a changed one without copying the definition. */
export function scheduleEntry(
  definition: ScheduleDefinition,
  state: ScheduleState,
  stamps: Stamps,
  enabled = definition.enabled,
): ScheduleEntry {
  return {
    name: definition.name,
    task: definition.task,
    schedule: definition.schedule,
    args: definition.args,
    kwargs: definition.kwargs,
    options: definition.options,
    enabled,
    missedRuns: definition.missedRuns,
    maxCatchUp: definition.maxCatchUp,
    lastSlot: state.lastSlot,
    runCount: state.runCount,
    createdAt: stamps.createdAt,
    updatedAt: stamps.updatedAt,
  };
}

/** `entry` with `changes` applied; the definition's parts are shared, not copied. Runs on every fire. */
export function updateEntry(entry: ScheduleEntry, changes: EntryChanges): ScheduleEntry {
  // Defaults apply to undefined only: a `lastSlot: null` change stays null.
  const {
    enabled = entry.enabled,
    lastSlot = entry.lastSlot,
    runCount = entry.runCount,
    updatedAt = entry.updatedAt,
  } = changes;
  return scheduleEntry(entry, { lastSlot, runCount }, { createdAt: entry.createdAt, updatedAt }, enabled);
}
