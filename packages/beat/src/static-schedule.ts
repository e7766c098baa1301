/**
 * A static schedule (from a schedule file or BeatOptions.schedules) compiled once, when the Beat
 * is built, so a typo stops the start before it connects. The merge into the store reuses that
 * compiled definition: compiling 100,000 schedules a second time in the merge was a tenth of a
 * CLI beat's start-up.
 */
import { createRequire } from 'node:module';
import {
  ConfigurationError,
  InvalidArgumentError,
  compileScheduleInput,
  type ScheduleDefinition,
  type ScheduleEntry,
  type ScheduleInput,
  type ScheduleStore,
} from '@celeriac/core';

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

/**
 * A beat's static schedules as options give them: compiled already (an array), or read and
 * compiled only when the store's digest says they must be merged (a function).
 */
export interface StaticSet {
  /** The digest the store records with their merge (see digestKey); null: none was given. */
  digest: string | null;
  load(): Promise<readonly StaticSchedule[]>;
}

/**
 * The digest as the store records it: with pruneStatic (a pruning merge changes more) and this
 * package's version, since another Celeriac may compile or merge the same input into something
 * else (a new default, a new field): a digest recorded by it must not skip this one's merge.
 */
export function digestKey(digest: string, pruneStatic: boolean): string {
  return `celeriac-${VERSION}:${pruneStatic ? 'prune' : 'add'}:${digest}`;
}

const { version: VERSION } = createRequire(import.meta.url)('../package.json') as { version: string };

/**
 * True when `store` last merged static schedules of this digest (and pruneStatic) and nothing
 * but fires changed it since: merging them again would change nothing.
 */
export async function staticSchedulesMerged(
  store: ScheduleStore,
  digest: string,
  pruneStatic: boolean,
): Promise<boolean> {
  return (await store.staticDigest?.()) === digestKey(digest, pruneStatic);
}

export function staticSet(
  given: ScheduleInput[] | (() => Promise<ScheduleInput[]>),
  digest: string | undefined,
  pruneStatic: boolean,
): StaticSet {
  if (digest !== undefined && (typeof digest !== 'string' || digest.length === 0))
    throw new ConfigurationError('staticDigest must be a non-empty string naming the content of schedules');
  const key = digest === undefined ? null : digestKey(digest, pruneStatic);
  if (typeof given !== 'function') return compiledSet(staticSchedules(given), key);
  if (key === null) throw new ConfigurationError('schedules given as a function need a staticDigest naming them');
  return { digest: key, load: async () => staticSchedules(await given()) };
}

/** Not a closure in staticSet's scope: that would keep the inputs (100,000: tens of MB) with the compiled schedules. */
function compiledSet(compiled: readonly StaticSchedule[], digest: string | null): StaticSet {
  return { digest, load: async () => compiled };
}

/** Every static schedule must compile, so a typo stops the start instead of a fire. */
function staticSchedules(inputs: unknown): StaticSchedule[] {
  if (!Array.isArray(inputs)) throw new ConfigurationError('schedules must be an array of schedules');
  const names = new Set<string>();
  const now = new Date();
  return (inputs as ScheduleInput[]).map((input) => {
    const schedule = compiled(input, now);
    const { name } = schedule.definition;
    if (names.has(name)) throw new ConfigurationError(`schedule "${name}" is defined twice`);
    names.add(name);
    return schedule;
  });
}

function compiled(input: ScheduleInput, now: Date): StaticSchedule {
  try {
    return compileStatic(input, now);
  } catch (error) {
    if (!(error instanceof InvalidArgumentError)) throw error;
    throw new ConfigurationError(`invalid static schedule: ${error.message}`, { cause: error });
  }
}
