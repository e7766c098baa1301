/**
 * Schedules shared by beats on many hosts. `celeriac_schedules` holds one document per schedule
 * ({_id: name, ...definition, lastSlot, runCount, createdAt, updatedAt}); `celeriac_schedule_fires`
 * is the fire guard: one document per (schedule, slot), inserted before the beat publishes, so
 * the unique `_id` lets exactly one beat own a slot even when two think they lead (split brain).
 */
import { MongoBulkWriteError, MongoClient, type Collection, type Db } from 'mongodb';
import {
  scheduleEntry,
  silentLogger,
  type Logger,
  type ScheduleDefinition,
  type ScheduleEntry,
  type ScheduleStore,
} from '@celeriac/core';
import { Expiry } from './expiry.js';
import { FireBatch, MAX_UPDATE_BATCH, fireKey, type FireDocument, type FiredFields } from './fire-batch.js';
import { MongoConnection } from './mongo-connection.js';
import { DUPLICATE_KEY, isDuplicateKey } from './mongo-errors.js';
import { databaseName } from './mongo-url.js';

export const SCHEDULES_COLLECTION = 'celeriac_schedules';
export const FIRES_COLLECTION = 'celeriac_schedule_fires';
export const DEFAULT_SCHEDULE_DATABASE = 'celeriac';
/** Fire records only matter around their slot; older ones are collected (lastSlot still guards). */
export const FIRE_RECORD_TTL_SECONDS = 7 * 24 * 3600;
/** Definitions per step of putMany. */
const MAX_PUT_BATCH = 2000;

type ScheduleDocument = ScheduleEntry & { _id: string };

export interface MongoScheduleStoreOptions {
  /** Overrides the database in the URL's path. @default the path, else 'celeriac' */
  database?: string;
  /** The clock for createdAt/updatedAt. @default () => new Date() */
  clock?: () => Date;
  logger?: Logger;
}

export class MongoScheduleStore implements ScheduleStore {
  readonly database: string;
  readonly #connection: MongoConnection;
  readonly #schedules: Collection<ScheduleDocument>;
  readonly #fires: Collection<FireDocument>;
  readonly #clock: () => Date;
  readonly #expiry: Expiry<FireDocument>;
  readonly #fireBatch: FireBatch;
  #indexes: Promise<void> | null = null;

  constructor(url: string, options: MongoScheduleStoreOptions = {}) {
    this.database = options.database ?? databaseName(url, DEFAULT_SCHEDULE_DATABASE);
    // ignoreUndefined: an absent option stays absent, as it does in the JSON-based stores.
    const client = new MongoClient(url, { appName: 'celeriac-beat', ignoreUndefined: true });
    this.#connection = new MongoConnection(client, { role: 'the schedule store', url });
    const db: Db = client.db(this.database);
    // Majority: a fire recorded on a primary that then loses its election must not be forgotten.
    this.#schedules = db.collection<ScheduleDocument>(SCHEDULES_COLLECTION, { writeConcern: { w: 'majority' } });
    this.#fires = db.collection<FireDocument>(FIRES_COLLECTION, { writeConcern: { w: 'majority' } });
    this.#fireBatch = new FireBatch({
      schedules: db.collection<FiredFields>(SCHEDULES_COLLECTION, { writeConcern: { w: 'majority' } }),
      fires: this.#fires,
      ready: () => this.#ensureIndexes(),
      now: () => this.#now(),
      claimed: () => this.#expiry.touch(),
    });
    this.#clock = options.clock ?? (() => new Date());
    const createIndex = async () =>
      void (await this.#fires.createIndex({ firedAt: 1 }, { expireAfterSeconds: FIRE_RECORD_TTL_SECONDS }));
    this.#expiry = new Expiry({
      collection: this.#fires,
      field: 'firedAt',
      afterSeconds: FIRE_RECORD_TTL_SECONDS,
      createIndex,
      what: 'fire records',
      logger: options.logger ?? silentLogger,
    });
  }

  /** In no order: beat builds a heap from it, and sorting 100,000 documents costs FerretDB a third of the load. */
  async list(): Promise<ScheduleEntry[]> {
    await this.#ensureIndexes();
    return (await this.#schedules.find({}).toArray()).map(entryOf);
  }

  async get(name: string): Promise<ScheduleEntry | null> {
    await this.#ensureIndexes();
    const document = await this.#schedules.findOne({ _id: name });
    return document ? entryOf(document) : null;
  }

  /** One atomic upsert: the definition is set, the state only on insert, so it is kept on replace. */
  async put(definition: ScheduleDefinition): Promise<ScheduleEntry> {
    await this.#ensureIndexes();
    try {
      return await this.#upsert(definition);
    } catch (error) {
      // Two upserts of a new name race on _id: the loser retries and now updates.
      if (!isDuplicateKey(error)) throw error;
      return this.#upsert(definition);
    }
  }

  async remove(name: string): Promise<boolean> {
    await this.#ensureIndexes();
    const { deletedCount } = await this.#schedules.deleteOne({ _id: name });
    // A schedule added again under this name starts with no fired slots, as in the other stores.
    await this.#fires.deleteMany({ schedule: name });
    return deletedCount === 1;
  }

  async setEnabled(name: string, enabled: boolean): Promise<ScheduleEntry | null> {
    await this.#ensureIndexes();
    const document = await this.#schedules.findOneAndUpdate(
      { _id: name },
      { $set: { enabled, updatedAt: this.#now() } },
      { returnDocument: 'after' },
    );
    return document ? entryOf(document) : null;
  }

  /**
   * The fire guard first (unique _id), then lastSlot advances only if the slot is later. Fires
   * recorded together are written together (fire-batch.ts).
   */
  async recordFire(name: string, slot: Date): Promise<boolean> {
    return this.#fireBatch.record(name, slot);
  }

  /**
   * Many definitions in one bulk upsert per MAX_PUT_BATCH, then read back: merging 100,000
   * static schedules one findOneAndUpdate at a time took minutes against FerretDB.
   */
  async putMany(definitions: readonly ScheduleDefinition[]): Promise<ScheduleEntry[]> {
    await this.#ensureIndexes();
    const now = this.#now();
    // One scan for the names stored: FerretDB answers `_id: {$in: [...]}` by scanning the collection.
    const stored = await this.#schedules.find({}, { projection: { _id: 1 } }).toArray();
    const existing = new Set(stored.map((document) => document._id));
    const inserted: ScheduleEntry[] = [];
    const updates = definitions.filter((definition) => existing.has(definition.name));
    const fresh = definitions.filter((definition) => !existing.has(definition.name));
    for (let start = 0; start < fresh.length; start += MAX_PUT_BATCH) {
      const { entries, taken } = await this.#insertNew(fresh.slice(start, start + MAX_PUT_BATCH), now);
      inserted.push(...entries);
      updates.push(...taken);
    }
    return [...inserted, ...(await this.#upsertAll(updates, now))];
  }

  async close(): Promise<void> {
    await this.#connection.close();
  }

  /**
   * Existing schedules are upserted in bulk writes of MAX_UPDATE_BATCH, then read back (their
   * state is kept): FerretDB 1.24 (SQLite) takes about 5 ms per update, so changed schedules are
   * the slow part of a merge; new ones are inserted (#insertNew), about 20,000 a second.
   */
  async #upsertAll(definitions: readonly ScheduleDefinition[], now: string): Promise<ScheduleEntry[]> {
    if (definitions.length === 0) return [];
    for (let start = 0; start < definitions.length; start += MAX_UPDATE_BATCH) {
      const operations = definitions.slice(start, start + MAX_UPDATE_BATCH).map((definition) => ({
        updateOne: { filter: { _id: definition.name }, update: upsertOf(definition, now), upsert: true },
      }));
      await this.#schedules.bulkWrite(operations, { ordered: false });
    }
    const names = definitions.map((definition) => definition.name);
    return (await this.#schedules.find({ _id: { $in: names } }).toArray()).map(entryOf);
  }

  /**
   * Inserts new schedules in one insertMany; their entries are the documents inserted. One that
   * another writer inserted first (a duplicate key) is returned in `taken`, to be upserted.
   */
  async #insertNew(
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
      await this.#schedules.insertMany(documents, { ordered: false });
    } catch (error) {
      if (!(error instanceof MongoBulkWriteError)) throw error;
      const failures = [error.writeErrors].flat();
      if (failures.some((failure) => failure.code !== DUPLICATE_KEY)) throw error;
      for (const failure of failures) failed.add(failure.index);
    }
    return {
      entries: documents.filter((_, i) => !failed.has(i)).map(entryOf),
      taken: definitions.filter((_, i) => failed.has(i)),
    };
  }

  async #upsert(definition: ScheduleDefinition): Promise<ScheduleEntry> {
    const update = upsertOf(definition, this.#now());
    const document = await this.#schedules.findOneAndUpdate({ _id: definition.name }, update, {
      upsert: true,
      returnDocument: 'after',
    });
    if (!document) throw new Error(`upsert of schedule '${definition.name}' returned no document`);
    return entryOf(document);
  }

  #ensureIndexes(): Promise<void> {
    this.#indexes ??= this.#createIndexes().catch((error: unknown) => {
      this.#indexes = null;
      throw error;
    });
    return this.#indexes;
  }

  /** Every operation passes here first: connects (again, after a failed first attempt), then indexes once. */
  async #createIndexes(): Promise<void> {
    await this.#connection.ready();
    await this.#fires.createIndex({ schedule: 1, slot: 1 });
    await this.#expiry.ensure();
  }

  #now(): string {
    return this.#clock().toISOString();
  }
}

/** The guard's key: one document per (schedule, slot instant). */
export function fireId(name: string, slotIso: string): string {
  return fireKey({ name, slotIso });
}

/** The definition is set, the state only on insert, so it is kept on replace. */
function upsertOf(definition: ScheduleDefinition, now: string) {
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

/** Through core's one entry literal: a beat loading 100,000 documents keeps small, shared-shape entries. */
function entryOf(document: ScheduleDocument): ScheduleEntry {
  // FerretDB 1.24 drops null values of $setOnInsert: a never-fired schedule may lack lastSlot.
  return scheduleEntry(document, { lastSlot: document.lastSlot ?? null, runCount: document.runCount ?? 0 }, document);
}
