/**
 * Schedules as users write them, as stores keep them and as beat tracks them. They are also the
 * JSON of schedule commands and replies, so they live in @celeriac/protocol (which owns every
 * byte on the broker) and are re-exported here for the code that compiles and stores them.
 */
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
} from '@celeriac/protocol';
