/**
 * The `celery_groupmeta` collection as Celery's mongodb backend writes it (`_save_group`):
 * `_id` the group id, `result` the JSON text of the task ids, `date_done` a BSON Date. A chord
 * sent by Celeriac adds `chord_size` (Python reads the document as a plain group) and joins in
 * `celeriac_chords`: one document per finished header task (`<group>/<task>`, so a redelivered
 * task counts once) and one claim on the callback (`<group>/fired`). Both are inserts under a
 * unique `_id`, the one write every MongoDB-wire server makes atomic: FerretDB loses concurrent
 * `$addToSet` updates of one document (seen: 18 of 20 parts counted). The parts expire as results
 * do (Celery's Redis chord counters live as long as results too), indexed by group so a count
 * never scans other chords.
 */
import type { Collection, Db } from 'mongodb';
import { parseJson, stringifyJson } from '@celeriac/protocol';
import type { ChordProgress, GroupStore, Logger } from '@celeriac/core';
import { Expiry } from './expiry.js';
import { isDuplicateKey } from './mongo-errors.js';

export const GROUPMETA_COLLECTION = 'celery_groupmeta';
export const CHORDS_COLLECTION = 'celeriac_chords';
export const CHORDS_TTL_INDEX_NAME = 'celeriac_chords_ttl';

export interface GroupMetaDocument {
  _id: string;
  result: string;
  date_done: Date;
  chord_size?: number;
}

/** A finished header task (`group` set) or the claim on the callback (`fired` set). */
export interface ChordPartDocument {
  _id: string;
  group?: string;
  fired?: string;
  date_done: Date;
}

export interface GroupMetaOptions {
  /** Connects first. */
  ready: () => Promise<void>;
  /** How long chord parts are kept: the results' expiry. */
  expireAfterSeconds: number;
  logger: Logger;
}

/** The group operations over one database. */
export class GroupMeta implements GroupStore {
  readonly #groups: Collection<GroupMetaDocument>;
  readonly #parts: Collection<ChordPartDocument>;
  readonly #expiry: Expiry<ChordPartDocument>;
  readonly ready: () => Promise<void>;

  constructor(database: Db, options: GroupMetaOptions) {
    this.ready = options.ready;
    this.#groups = database.collection<GroupMetaDocument>(GROUPMETA_COLLECTION);
    this.#parts = database.collection<ChordPartDocument>(CHORDS_COLLECTION);
    const { expireAfterSeconds: afterSeconds, logger } = options;
    const createIndex = () => this.#createIndexes(afterSeconds);
    this.#expiry = new Expiry({
      collection: this.#parts,
      field: 'date_done',
      afterSeconds,
      createIndex,
      what: 'chord parts',
      logger,
    });
  }

  async saveGroup(groupId: string, taskIds: readonly string[], chordSize: number | null = null): Promise<void> {
    await this.ready();
    const document: GroupMetaDocument = { _id: groupId, result: stringifyJson([...taskIds]), date_done: new Date() };
    if (chordSize !== null) document.chord_size = chordSize;
    await this.#groups.replaceOne({ _id: groupId }, document, { upsert: true });
  }

  async restoreGroup(groupId: string): Promise<string[] | null> {
    await this.ready();
    const document = await this.#groups.findOne({ _id: groupId });
    if (!document) return null;
    const ids = parseJson(document.result);
    return Array.isArray(ids) ? ids.filter((id): id is string => typeof id === 'string') : [];
  }

  async chordPartDone(groupId: string, taskId: string): Promise<ChordProgress | null> {
    await this.ready();
    const group = await this.#groups.findOne({ _id: groupId });
    if (!group) return null;
    if (typeof group.chord_size !== 'number') return { done: 0, size: null, fired: false };
    await this.#expiry.ensure();
    await this.#insertOnce({ _id: `${groupId}/${taskId}`, group: groupId, date_done: new Date() });
    this.#expiry.touch();
    const done = await this.#parts.countDocuments({ group: groupId });
    const fired = (await this.#parts.countDocuments({ _id: claimId(groupId) })) > 0;
    return { done, size: group.chord_size, fired };
  }

  async claimChord(groupId: string): Promise<boolean> {
    await this.ready();
    return this.#insertOnce({ _id: claimId(groupId), fired: groupId, date_done: new Date() });
  }

  async releaseChord(groupId: string): Promise<void> {
    await this.ready();
    await this.#parts.deleteOne({ _id: claimId(groupId) });
  }

  /** The group index first: a server that refuses the TTL one (FerretDB 1.x) still counts by index. */
  async #createIndexes(expireAfterSeconds: number): Promise<void> {
    await this.#parts.createIndex({ group: 1 }, { name: 'celeriac_chords_group' });
    await this.#parts.createIndex({ date_done: 1 }, { name: CHORDS_TTL_INDEX_NAME, expireAfterSeconds });
  }

  /** True when this call inserted the document, false when it was there already. */
  async #insertOnce(document: ChordPartDocument): Promise<boolean> {
    try {
      await this.#parts.insertOne(document);
      return true;
    } catch (error) {
      if (isDuplicateKey(error)) return false;
      throw error;
    }
  }
}

function claimId(groupId: string): string {
  return `${groupId}/fired`;
}
