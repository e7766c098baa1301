/**
 * Periodic schedules as users write them (stage 1: input), as stored and compiled (stage 2),
 * and the state beat keeps per schedule. They are here, not in @celeriac/core, because they are
 * the JSON of schedule commands and replies (schedule-command.ts): a client sends a
 * ScheduleInput, beat answers with ScheduleEntry records. The maths over them (compile, next
 * slot) is in @celeriac/core, the loop that fires them in @celeriac/beat.
 */

/** A cron expression (5 fields, or 6 with seconds first) evaluated in an IANA time zone. */
export interface CronSpec {
  kind: 'cron';
  expression: string;
  /** IANA zone, e.g. 'Europe/Warsaw'. @default 'UTC' */
  timezone?: string;
}

/** A fixed period, anchored so slots never drift: anchor + k × every. */
export interface IntervalSpec {
  kind: 'interval';
  everyMs: number;
  /** The first slot; later slots are whole periods after it. @default when the schedule is added */
  anchor?: Date | string;
}

/** One fire at a given time; the schedule is disabled once it has fired. */
export interface OnceSpec {
  kind: 'once';
  at: Date | string;
}

export type ScheduleSpec = CronSpec | IntervalSpec | OnceSpec;

/**
 * What beat does with slots it missed (beat down, machine asleep):
 * `skip` fires only future slots; `once` fires one catch-up (Celery's behaviour, the default);
 * `all` fires every missed slot, up to `maxCatchUp`.
 */
export type MissedRunPolicy = 'skip' | 'once' | 'all';

/** Send options a schedule passes on to each task it fires. */
export interface ScheduleTaskOptions {
  queue?: string;
  priority?: number;
  /** Seconds after the slot time after which the fired task is discarded. */
  expires?: number;
}

/** A schedule as a user or a client gives it (stage 1). */
export interface ScheduleInput {
  name: string;
  task: string;
  schedule: ScheduleSpec;
  args?: unknown[];
  kwargs?: Record<string, unknown>;
  options?: ScheduleTaskOptions;
  /** @default true */
  enabled?: boolean;
  /** @default 'once' */
  missedRuns?: MissedRunPolicy;
  /** Most missed slots fired at once under `all`. @default 100 */
  maxCatchUp?: number;
}

/** A validated schedule with every default applied, as stores keep it (stage 2). JSON-safe. */
export interface ScheduleDefinition {
  name: string;
  task: string;
  schedule: NormalizedSpec;
  args: unknown[];
  kwargs: Record<string, unknown>;
  options: ScheduleTaskOptions;
  enabled: boolean;
  missedRuns: MissedRunPolicy;
  maxCatchUp: number;
}

/** Specs with defaults applied and dates as ISO strings, so a definition survives JSON. */
export type NormalizedSpec =
  | { kind: 'cron'; expression: string; timezone: string }
  | { kind: 'interval'; everyMs: number; anchor: string }
  | { kind: 'once'; at: string };

/** What beat remembers per schedule between runs. */
export interface ScheduleState {
  /** The last slot fired (ISO), or null if it never fired. Slots after it are due. */
  lastSlot: string | null;
  runCount: number;
}

/** A definition with its state: one record of a schedule store. */
export interface ScheduleEntry extends ScheduleDefinition, ScheduleState {
  createdAt: string;
  updatedAt: string;
}
