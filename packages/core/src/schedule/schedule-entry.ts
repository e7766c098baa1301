/**
 * Building schedule entries, always through one object literal with the same keys in the same
 * order. V8 gives objects made by spreading (`{ ...entry, lastSlot }`) a hidden class of their own
 * each, about 600 bytes per entry that 100,000 schedules pay for nothing; objects from this
 * literal share one.
 */
import type { ScheduleDefinition, ScheduleEntry, ScheduleState } from './schedule-types.js';

/** The parts of an entry that change without an edit of its definition. */
export type EntryChanges = Partial<ScheduleState & Pick<ScheduleEntry, 'enabled' | 'updatedAt'>>;

interface Stamps {
  createdAt: string;
  updatedAt: string;
}

export function scheduleEntry(definition: ScheduleDefinition, state: ScheduleState, stamps: Stamps): ScheduleEntry {
  return {
    name: definition.name,
    task: definition.task,
    schedule: definition.schedule,
    args: definition.args,
    kwargs: definition.kwargs,
    options: definition.options,
    enabled: definition.enabled,
    missedRuns: definition.missedRuns,
    maxCatchUp: definition.maxCatchUp,
    lastSlot: state.lastSlot,
    runCount: state.runCount,
    createdAt: stamps.createdAt,
    updatedAt: stamps.updatedAt,
  };
}

/** `entry` with `changes` applied; the definition's parts are shared, not copied. */
export function updateEntry(entry: ScheduleEntry, changes: EntryChanges): ScheduleEntry {
  const merged = { ...entryParts(entry), ...changes };
  return scheduleEntry({ ...entry, enabled: merged.enabled }, merged, merged);
}

function entryParts(entry: ScheduleEntry): Required<EntryChanges> & Stamps {
  return { enabled: entry.enabled, lastSlot: entry.lastSlot, runCount: entry.runCount, createdAt: entry.createdAt, updatedAt: entry.updatedAt };
}
