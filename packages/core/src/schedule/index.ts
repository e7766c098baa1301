export type {
  CronSpec,
  IntervalSpec,
  OnceSpec,
  ScheduleSpec,
  NormalizedSpec,
  MissedRunPolicy,
  ScheduleTaskOptions,
  ScheduleInput,
  ScheduleDefinition,
  ScheduleState,
  ScheduleEntry,
} from './schedule-types.js';
export type { ScheduleStore } from './schedule-store.js';
export type { ScheduleCommand, ScheduleReply } from './schedule-commands.js';
