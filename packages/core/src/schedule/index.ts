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
export type { PlannedEntry, ScheduleStore, StaticMerge } from './schedule-store.js';
export type { ScheduleCommand, ScheduleReply } from '@celeriac/protocol';
export { compileScheduleInput, DEFAULT_MAX_CATCH_UP, MAX_CATCH_UP_LIMIT, MAX_NAME_LENGTH } from './compile.js';
export { nextSlot, compileSpec, MIN_INTERVAL_MS, MAX_INTERVAL_MS, LAST_SLOT_MS } from './spec.js';
export { dueSlots, firstDueMs, ON_TIME_MS, CRON_SCAN_LIMIT, type DueSlots } from './due-slots.js';
export { slotTaskId, uuidV5, SLOT_ID_NAMESPACE, DNS_NAMESPACE } from './slot-id.js';
export { isoString } from './instant.js';
export { previewSlots, MAX_PREVIEW } from './preview.js';
export { scheduleEntry, updateEntry, type EntryChanges } from './schedule-entry.js';
/** For store implementations: an entry read back from storage, its common parts shared (shared-parts.ts). */
export { shareParsedParts } from './shared-parts.js';
/** For store implementations: the staticDigest that marks an edit (see ScheduleStore.staticDigest). */
export { editMark } from './store-records.js';
export { MemoryScheduleStore, type StoreOptions } from './memory-store.js';
export { FileScheduleStore, FILE_STORE_VERSION, type FileStoreCounters, type FileStoreOptions } from './file-store.js';
export { openScheduleStore } from './open-store.js';
