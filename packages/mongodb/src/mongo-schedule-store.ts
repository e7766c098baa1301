/**
 * Schedules shared by beats on many hosts. `celeriac_schedules` holds one document per schedule
 * ({_id: name, ...definition, lastSlot, runCount, createdAt, updatedAt}); `celeriac_schedule_fires`
 * is the fire guard: one document per (schedule, slot), inserted before the beat publishes, so
 * the unique `_id` lets exactly one beat own a slot even when two think they lead (split brain).
 */
import { MongoClient, type Collection, type Db } from 'mongodb';
import {
  errorMeta,
  silentLogger,
  type Logger,
  type ScheduleDefinition,
  type ScheduleEntry,
  type ScheduleStore,
  type StaticMerge,
} from '@celeriac/core';
import { Expiry } from './expiry.js';
import { FireBatch, fireKey, type FireDocument, type FiredFields } from './fire-batch.js';
import { entryOf, putAll, upsertOf, type ScheduleDocument } from './schedule-writes.js';
import { MongoConnection } from './mongo-connection.js';
import { isDuplicateKey } from './mongo-errors.js';
import { databaseName } from './mongo-url.js';
import { META_COLLECTION, StaticDigestRecord, type MetaDocument } from './static-digest.js';

export const SCHEDULES_COLLECTION = 'celeriac_schedules';
export const FIRES_COLLECTION = 'celeriac_schedule_fires';
export const DEFAULT_SCHEDULE_DATABASE = 'celeriac';
/** Fire records only matter around their slot; older ones are collected (lastSlot still guards). */
export const FIRE_RECORD_TTL_SECONDS = 7 * 24 * 3600;

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
  readonly #digest: StaticDigestRecord;
  readonly #logger: Logger;
  #indexes: Promise<void> | null = null;

  constructor(url: string, options: MongoScheduleStoreOptions = {}) {
    this.database = options.database ?? databaseName(url, DEFAULT_SCHEDULE_DATABASE);
    this.#logger = options.logger ?? silentLogger;
    // ignoreUndefined: an absent option stays absent, as it does in the JSON-based stores.
    const client = new MongoClient(url, { appName: 'celeriac-beat', ignoreUndefined: true });
    this.#connection = new MongoConnection(client, { role: 'the schedule store', url });
    const db: Db = client.db(this.database);
    // Majority: a fire recorded on a primary that then loses its election must not be forgotten.
    this.#schedules = db.collection<ScheduleDocument>(SCHEDULES_COLLECTION, { writeConcern: { w: 'majority' } });
    this.#fires = db.collection<FireDocument>(FIRES_COLLECTION, { writeConcern: { w: 'majority' } });
    this.#digest = new StaticDigestRecord(
      db.collection<MetaDocument>(META_COLLECTION, { writeConcern: { w: 'majority' } }),
    );
    this.#fireBatch = new FireBatch({
      schedules: db.collection<FiredFields>(SCHEDULES_COLLECTION, { writeConcern: { w: 'majority' } }),
      fires: this.#fires,
      ready: () => this.#ensureIndexes(),
      now: () => this.#now(),
      claimed: () => this.#expiry.touch(),
      disabled: () => this.#oneOffsDisabled(),
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
      logger: this.#logger,
    });
  }

  /**
   * In no order: beat builds a heap from it, and sorting 100,000 documents costs FerretDB a third
   * of the load. Each document becomes its entry as its batch arrives: with toArray every
   * document and the driver's buffers were alive at once beside the entries.
   */
  async list(): Promise<ScheduleEntry[]> {
    await this.#ensureIndexes();
    const entries: ScheduleEntry[] = [];
    for await (const document of this.#schedules.find({})) entries.push(entryOf(document));
    return entries;
  }

  async get(name: string): Promise<ScheduleEntry | null> {
    await this.#ensureIndexes();
    const document = await this.#schedules.findOne({ _id: name });
    return document ? entryOf(document) : null;
  }

  /** One atomic upsert: the definition is set, the state only on insert, so it is kept on replace. */
  async put(definition: ScheduleDefinition): Promise<ScheduleEntry> {
    await this.#ensureIndexes();
    return this.#digest.edit(async () => {
      try {
        return await this.#upsert(definition);
      } catch (error) {
        // Two upserts of a new name race on _id: the loser retries and now updates.
        if (!isDuplicateKey(error)) throw error;
        return this.#upsert(definition);
      }
    });
  }

  async remove(name: string): Promise<boolean> {
    await this.#ensureIndexes();
    return this.#digest.edit(async () => {
      const { deletedCount } = await this.#schedules.deleteOne({ _id: name });
      // A schedule added again under this name starts with no fired slots, as in the other stores.
      await this.#fires.deleteMany({ schedule: name });
      return deletedCount === 1;
    });
  }

  async setEnabled(name: string, enabled: boolean): Promise<ScheduleEntry | null> {
    await this.#ensureIndexes();
    const update = { $set: { enabled, updatedAt: this.#now() } };
    const document = await this.#digest.edit(() =>
      this.#schedules.findOneAndUpdate({ _id: name }, update, { returnDocument: 'after' }),
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
   * Bulk writes (schedule-writes.ts) as the merge `merge` names (static-digest.ts); nothing
   * but the digest when there is nothing to put (no scan of the collection for it).
   */
  async putMany(definitions: readonly ScheduleDefinition[], merge?: StaticMerge): Promise<ScheduleEntry[]> {
    await this.#ensureIndexes();
    if (definitions.length === 0 && !merge) return [];
    const write = async () => (definitions.length === 0 ? [] : putAll(this.#schedules, definitions, this.#now()));
    return this.#digest.merge(merge, write);
  }

  async staticDigest(): Promise<string | null> {
    await this.#ensureIndexes();
    return this.#digest.read();
  }

  async close(): Promise<void> {
    await this.#connection.close();
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

  /** Not failing the fire batch: its fires are recorded, and beat disables the one-off itself as well. */
  async #oneOffsDisabled(): Promise<void> {
    await this.#digest.mark().catch((error: unknown) => {
      this.#logger.log('warn', 'could not mark one-offs disabled by their fire in the static digest', errorMeta(error));
    });
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
