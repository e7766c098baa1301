/**
 * What `schedule ls` and `schedule preview` print: plain text columns for a person, one row per
 * schedule or slot. `ls --json` prints the entries themselves instead.
 */
import { nextSlot, type NormalizedSpec, type ScheduleEntry } from '@celeriac/core';
import { columns } from './text-columns.js';
import { formatDuration } from './durations.js';
import { zonedIso } from './zoned-time.js';

const HEADER = ['NAME', 'SCHEDULE', 'TASK', 'QUEUE', 'POLICY', 'ENABLED', 'RUNS', 'LAST SLOT', 'NEXT'];

export function scheduleTable(entries: readonly ScheduleEntry[], now: Date): string {
  if (entries.length === 0) return 'no schedules\n';
  const rows = entries.map((entry) => scheduleRow(entry, now));
  return columns([HEADER, ...rows]);
}

function scheduleRow(entry: ScheduleEntry, now: Date): string[] {
  const next = entry.enabled ? (nextSlot(entry.schedule, now)?.toISOString() ?? '-') : '-';
  const { name, task, options, missedRuns, enabled, runCount, lastSlot } = entry;
  return [
    name,
    describeSpec(entry.schedule),
    task,
    options.queue ?? '(default)',
    missedRuns,
    enabled ? 'yes' : 'no',
    String(runCount),
    lastSlot ?? '-',
    next,
  ];
}

export function describeSpec(spec: NormalizedSpec): string {
  if (spec.kind === 'cron') return `cron "${spec.expression}" ${spec.timezone}`;
  if (spec.kind === 'interval') return `every ${formatDuration(spec.everyMs)}`;
  return `once at ${spec.at}`;
}

/** A slot in UTC, and for cron also as the clock in the schedule's zone shows it. */
export function previewLine(slot: Date, timezone: string | undefined): string {
  return timezone === undefined ? slot.toISOString() : `${slot.toISOString()}  ${zonedIso(slot, timezone)} ${timezone}`;
}

/** Left-aligned columns two spaces apart; the last column is not padded. */
