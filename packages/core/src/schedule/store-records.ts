/**
 * The record rules every ScheduleStore follows, as pure functions over entries, so the memory and
 * file stores (and the MongoDB store's tests) agree: put keeps state, recordFire only advances,
 * a fired `once` schedule is disabled.
 */
import type { ScheduleDefinition, ScheduleEntry } from './schedule-types.js';

/** A new entry, or `existing` with the new definition and its state and createdAt kept. */
export function putRecord(existing: ScheduleEntry | undefined, definition: ScheduleDefinition, now: Date): ScheduleEntry {
  const stamp = now.toISOString();
  const state = existing ? { lastSlot: existing.lastSlot, runCount: existing.runCount, createdAt: existing.createdAt } : { lastSlot: null, runCount: 0, createdAt: stamp };
  return { ...cloneJson(definition), ...state, updatedAt: stamp };
}

/** The entry after firing `slot`, or null if `slot` is not later than its last slot. */
export function fireRecord(entry: ScheduleEntry, slot: Date, now: Date): ScheduleEntry | null {
  if (entry.lastSlot !== null && slot.getTime() <= Date.parse(entry.lastSlot)) return null;
  const enabled = entry.schedule.kind === 'once' ? false : entry.enabled;
  return { ...entry, enabled, lastSlot: slot.toISOString(), runCount: entry.runCount + 1, updatedAt: now.toISOString() };
}

export function enableRecord(entry: ScheduleEntry, enabled: boolean, now: Date): ScheduleEntry {
  return { ...entry, enabled, updatedAt: now.toISOString() };
}

/** A deep copy, so callers never hold a store's own objects. */
export function cloneJson<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}
