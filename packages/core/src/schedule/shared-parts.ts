/**
 * A definition detached from the caller's objects, with the parts many schedules have in common
 * shared between them: empty args and kwargs, a cron spec (100,000 schedules hold a few hundred
 * (zone, expression) pairs) and task options (usually one queue for all). Stored entries are
 * deeply frozen (store-records.ts), so sharing is safe. Copying each definition through
 * JSON.stringify/parse was the largest cost of putting 100,000 schedules in a store, and every
 * copy of the same spec was memory held for nothing.
 */
import type { NormalizedSpec, ScheduleDefinition, ScheduleEntry, ScheduleTaskOptions } from '@celeriac/protocol';

const EMPTY_ARGS: readonly unknown[] = Object.freeze([]);
const EMPTY_KWARGS: Readonly<Record<string, unknown>> = Object.freeze({});
const SHARED_LIMIT = 10_000;
const cronSpecs = new Map<string, NormalizedSpec>();
const taskOptions = new Map<string, ScheduleTaskOptions>();

export function detachedDefinition(definition: ScheduleDefinition): ScheduleDefinition {
  return {
    name: definition.name,
    task: definition.task,
    schedule: detachedSpec(definition.schedule),
    args: definition.args.length === 0 ? (EMPTY_ARGS as unknown[]) : copyJson(definition.args),
    kwargs: Object.keys(definition.kwargs).length === 0 ? EMPTY_KWARGS : copyJson(definition.kwargs),
    options: shared(taskOptions, JSON.stringify(definition.options), () => Object.freeze(copyJson(definition.options))),
    enabled: definition.enabled,
    missedRuns: definition.missedRuns,
    maxCatchUp: definition.maxCatchUp,
  };
}

function detachedSpec(spec: NormalizedSpec): NormalizedSpec {
  switch (spec.kind) {
    case 'cron': {
      const { expression, timezone } = spec;
      return shared(cronSpecs, `${timezone}\n${expression}`, () =>
        Object.freeze({ kind: 'cron', expression, timezone }),
      );
    }
    case 'interval':
      return { kind: 'interval', everyMs: spec.everyMs, anchor: spec.anchor };
    case 'once':
      return { kind: 'once', at: spec.at };
  }
}

/**
 * An entry just read back from storage (its own fresh objects: parsed from a store file, or a
 * MongoDB document as the driver made it), its common parts swapped in place for the shared
 * (frozen) ones: a restart parsing 100,000 entries held ~16 MB more than the beat that had
 * merged them. `texts` shares task names and creation stamps (one parse's, or a store's bounded
 * map). Parts of an unexpected shape stay as they are, for the reader to report. Not frozen:
 * freezing 100,000 entries cost a tenth of the parse, and the store's entries are read-only by
 * contract.
 */
export function shareParsedParts(entry: ScheduleEntry, texts: Map<string, string>): ScheduleEntry {
  if (Array.isArray(entry.args) && entry.args.length === 0) entry.args = EMPTY_ARGS as unknown[];
  if (isEmptyObject(entry.kwargs)) entry.kwargs = EMPTY_KWARGS;
  const { options, schedule } = entry;
  if (isRecord(options)) entry.options = shared(taskOptions, JSON.stringify(options), () => Object.freeze(options));
  if (isRecord(schedule) && schedule.kind === 'cron') entry.schedule = detachedSpec(schedule);
  entry.task = shared(texts, entry.task, () => entry.task);
  entry.createdAt = shared(texts, entry.createdAt, () => entry.createdAt);
  return entry;
}

function isRecord(value: unknown): value is object {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isEmptyObject(value: unknown): boolean {
  if (!isRecord(value)) return false;
  for (const _ in value) return false;
  return true;
}

/** The one object kept under `key`, made by `make` the first time (the map is bounded). */
function shared<T>(map: Map<string, T>, key: string, make: () => T): T {
  let value = map.get(key);
  if (value === undefined) {
    if (map.size >= SHARED_LIMIT) map.clear();
    value = make();
    map.set(key, value);
  }
  return value;
}

function copyJson<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}
