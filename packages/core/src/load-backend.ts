/**
 * Loads @celeriac/mongodb on demand. Core, the client, the worker and the beat never import it
 * statically: the specifier sits in a variable, so neither TypeScript nor a bundler sees a
 * dependency, and users without MongoDB never install the driver.
 */
import { ConfigurationError } from './errors.js';
import type { Logger } from './logger.js';
import type { ResultReader, ResultWriter } from './result-backend.js';
import type { ScheduleStore } from './schedule/schedule-store.js';

export const MONGO_MODULE = '@celeriac/mongodb';

export const MONGO_MISSING_MESSAGE = 'the MongoDB backend needs @celeriac/mongodb: npm install @celeriac/mongodb';

/** Where a chord stands once one more header task has finished (GroupStore.chordPartDone). */
export interface ChordProgress {
  /** Header tasks finished so far, each counted once however often it is delivered. */
  done: number;
  /** The header's size, or null for a group that is not a counted chord (a Python chord joins by celery.chord_unlock). */
  size: number | null;
  /** True once a header task has claimed the callback. */
  fired: boolean;
}

/**
 * Celery's group results (`celery_groupmeta`): the ids of a group's tasks, in order, saved by its
 * sender; for a chord sent by Celeriac also its atomic join (a set of finished header tasks and a
 * claim on the callback), so that the last header task sends the callback exactly once.
 */
export interface GroupStore {
  saveGroup(groupId: string, taskIds: readonly string[], chordSize?: number | null): Promise<void>;
  /** The task ids of a saved group, or null when none is saved under that id. */
  restoreGroup(groupId: string): Promise<string[] | null>;
  /** Counts `taskId` as finished (idempotent); null when the group is not saved. */
  chordPartDone(groupId: string, taskId: string): Promise<ChordProgress | null>;
  /** True for exactly one caller: the one that is to send the callback. */
  claimChord(groupId: string): Promise<boolean>;
  /** Gives the claim back when the callback could not be sent, so that a redelivery sends it. */
  releaseChord(groupId: string): Promise<void>;
}

/** A backend that stores states, so the same object writes (worker) and reads (client, duplicate checks). */
export interface StoredResultBackend extends ResultWriter, ResultReader, GroupStore {}

export interface MongoResultBackendOptions {
  /** Documents are removed by a TTL index this long after date_done. @default 86 400 000 (a day) */
  resultExpiresMs?: number;
  logger?: Logger;
}

/** What core needs of @celeriac/mongodb; checked when the module is loaded. */
export interface MongoBackendModule {
  openMongoResultBackend(url: string, options?: MongoResultBackendOptions): StoredResultBackend;
  openMongoScheduleStore(url: string, options?: { logger?: Logger }): Promise<ScheduleStore>;
}

const loaded = new Map<string, Promise<MongoBackendModule>>();

/** The @celeriac/mongodb module, or a ConfigurationError saying how to install it. */
export function loadMongoModule(specifier: string = MONGO_MODULE): Promise<MongoBackendModule> {
  let module = loaded.get(specifier);
  if (!module) {
    module = importMongo(specifier);
    loaded.set(specifier, module);
    // A failed load is not cached: installing the package fixes the next attempt.
    module.catch(() => loaded.delete(specifier));
  }
  return module;
}

async function importMongo(specifier: string): Promise<MongoBackendModule> {
  let module: unknown;
  try {
    module = await import(specifier);
  } catch (error) {
    throw new ConfigurationError(`${MONGO_MISSING_MESSAGE} (${(error as Error).message})`, { cause: error });
  }
  if (isMongoModule(module)) return module;
  throw new ConfigurationError(
    `${MONGO_MISSING_MESSAGE} (${specifier} does not export openMongoResultBackend and openMongoScheduleStore: a version mismatch?)`,
  );
}

function isMongoModule(module: unknown): module is MongoBackendModule {
  if (typeof module !== 'object' || module === null) return false;
  const candidate = module as Record<string, unknown>;
  return (
    typeof candidate.openMongoResultBackend === 'function' && typeof candidate.openMongoScheduleStore === 'function'
  );
}
