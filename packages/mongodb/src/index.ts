/**
 * @module @celeriac/mongodb
 *
 * The only user of the official `mongodb` driver: a result backend that reads and writes
 * Celery's `celery_taskmeta` documents, and a ScheduleStore shared by beats on many hosts.
 * Nothing imports it statically: @celeriac/core loads it (`loadMongoModule`) when a
 * `mongodb://` or `mongodb+srv://` URL is configured.
 *
 * ```ts
 * const worker = new Worker({ tasks, resultBackend: 'mongodb://127.0.0.1:27017/celery' });
 * const store = await openScheduleStore('mongodb://127.0.0.1:27017/celeriac');
 * ```
 */
import type { Logger, MongoResultBackendOptions, ScheduleStore, StoredResultBackend } from '@celeriac/core';
import { MongoResultBackend } from './mongo-result-backend.js';
import { MongoScheduleStore } from './mongo-schedule-store.js';

export { Expiry, SWEEP_BATCH, SWEEP_INTERVAL_MS, SWEEP_MAX_BATCHES } from './expiry.js';
export { MongoResultBackend, DEFAULT_RESULT_EXPIRES_MS, expireAfterSeconds } from './mongo-result-backend.js';
export {
  MongoScheduleStore,
  SCHEDULES_COLLECTION,
  FIRES_COLLECTION,
  DEFAULT_SCHEDULE_DATABASE,
  fireId,
  type MongoScheduleStoreOptions,
} from './mongo-schedule-store.js';
export {
  GroupMeta,
  GROUPMETA_COLLECTION,
  CHORDS_COLLECTION,
  type GroupMetaDocument,
  type ChordPartDocument,
} from './group-meta.js';
export { taskMetaDocument, resultMetaOf, TASKMETA_COLLECTION, type TaskMetaDocument } from './task-meta.js';
export { databaseName, DEFAULT_RESULT_DATABASE } from './mongo-url.js';
export { nextPollMs, pollDelayMs, FIRST_POLL_MS, MAX_POLL_MS } from './poll.js';

/** The entry point core's loader checks for. */
export function openMongoResultBackend(url: string, options: MongoResultBackendOptions = {}): StoredResultBackend {
  return new MongoResultBackend(url, options);
}

/** The entry point core's loader checks for; connects lazily, on the first operation. */
export async function openMongoScheduleStore(url: string, options: { logger?: Logger } = {}): Promise<ScheduleStore> {
  return new MongoScheduleStore(url, options);
}
