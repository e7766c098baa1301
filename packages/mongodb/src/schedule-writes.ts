/**
 * The bulk writes of MongoScheduleStore.putMany (a merge of static schedules), and the document
 * shapes every write of the store shares.
 */
import { MongoBulkWriteError, type Collection } from 'mongodb';
import { scheduleEntry, shareParsedParts, type ScheduleDefinition, type ScheduleEntry } from '@celeriac/core';
import { MAX_UPDATE_BATCH } from './fire-batch.js';
import { DUPLICATE_KEY } from './mongo-errors.js';

export type ScheduleDocument = ScheduleEntry & { _id: string };

/** Definitions per step of putMany. */
const MAX_PUT_BATCH = 2000;

/**
 * Many definitions in one bulk upsert per MAX_PUT_BATCH, then read back: merging 100,000
 * static schedules one findOneAndUpdate at a time took minutes against FerretDB.
 */
export async function putAll(
  schedules: Collection<ScheduleDocument>,
  definitions: readonly ScheduleDefinition[],
  now: string,
): Promise<ScheduleEntry[]> {
  // One scan for the names stored: FerretDB answers `_id: {$in: [...]}` by scanning the collection.
  const stored = await schedules.find({}, { projection: { _id: 1 } }).toArray();
  const existing = new Set(stored.map((document) => document._id));
  const inserted: ScheduleEntry[] = [];
  const updates = definitions.filter((definition) => existing.has(definition.name));
  const fresh = definitions.filter((definition) => !existing.has(definition.name));
  for (let start = 0; start < fresh.length; start += MAX_PUT_BATCH) {
    const { entries, taken } = await insertNew(schedules, fresh.slice(start, start + MAX_PUT_BATCH), now);
    inserted.push(...entries);
    updates.push(...taken);
  }
  return [...inserted, ...(await upsertAll(schedules, updates, now))];
}

/**
 * Existing schedules are upserted in bulk writes of MAX_UPDATE_BATCH, then read back (their
 * state is kept): FerretDB 1.24 (SQLite) takes about 5 ms per update, so changed schedules are
 * the slow part of a merge; new ones are inserted (insertNew), about 20,000 a second.
 */
async function upsertAll(
  schedules: Collection<ScheduleDocument>,
  definitions: readonly ScheduleDefinition[],
  now: string,
): Promise<ScheduleEntry[]> {
  if (definitions.length === 0) return [];
  for (let start = 0; start < definitions.length; start += MAX_UPDATE_BATCH) {
    const operations = definitions.slice(start, start + MAX_UPDATE_BATCH).map((definition) => ({
      updateOne: { filter: { _id: definition.name }, update: upsertOf(definition, now), upsert: true },
    }));
    await schedules.bulkWrite(operations, { ordered: false });
  }
  const names = definitions.map((definition) => definition.name);
  return (await schedules.find({ _id: { $in: names } }).toArray()).map(entryOf);
}

/**
 * Inserts new schedules in one insertMany; their entries are the documents inserted. One that
 * another writer inserted first (a duplicate key) is returned in `taken`, to be upserted.
 */
async function insertNew(
  schedules: Collection<ScheduleDocument>,
  definitions: readonly ScheduleDefinition[],
  now: string,
): Promise<{ entries: ScheduleEntry[]; taken: ScheduleDefinition[] }> {
  const documents = definitions.map((definition) => ({
    ...definitionOnly(definition),
    _id: definition.name,
    lastSlot: null,
    runCount: 0,
    createdAt: now,
    updatedAt: now,
  }));
  const failed = new Set<number>();
  try {
    await schedules.insertMany(documents, { ordered: false });
  } catch (error) {
    if (!(error instanceof MongoBulkWriteError)) throw error;
    const failures = [error.writeErrors].flat();
    if (failures.some((failure) => failure.code !== DUPLICATE_KEY)) throw error;
    for (const failure of failures) failed.add(failure.index);
  }
  return {
    // Not entryOf: these parts are the caller's definitions', not read back, and not ours to freeze.
    entries: documents.filter((_, i) => !failed.has(i)).map((document) => scheduleEntry(document, document, document)),
    taken: definitions.filter((_, i) => failed.has(i)),
  };
}

/** The definition is set, the state only on insert, so it is kept on replace. */
export function upsertOf(definition: ScheduleDefinition, now: string) {
  return {
    $set: { ...definitionOnly(definition), updatedAt: now },
    $setOnInsert: { lastSlot: null, runCount: 0, createdAt: now },
  };
}

/** A caller may pass a whole entry as the definition; its state must not overwrite the stored state. */
function definitionOnly(definition: ScheduleDefinition): ScheduleDefinition {
  const {
    lastSlot: _slot,
    runCount: _count,
    createdAt: _created,
    updatedAt: _updated,
    ...rest
  } = definition as ScheduleDefinition & Partial<ScheduleEntry>;
  return rest;
}

/** Task names and creation stamps read back, shared between entries as the file store shares them (bounded). */
const texts = new Map<string, string>();

/**
 * Through core's one entry literal, with the parts many schedules have in common (empty args and
 * kwargs, task options, cron specs, task names) shared, as the file store shares them when it
 * parses: a beat loading 100,000 documents kept each one's own copies.
 */
export function entryOf(document: ScheduleDocument): ScheduleEntry {
  // FerretDB 1.24 drops null values of $setOnInsert: a never-fired schedule may lack lastSlot.
  const state = { lastSlot: document.lastSlot ?? null, runCount: document.runCount ?? 0 };
  return shareParsedParts(scheduleEntry(document, state, document), texts);
}
