/**
 * The `celery_groupmeta` collection as Celery's mongodb backend writes it (`_save_group`):
 * `_id` the group id, `result` the JSON text of the task ids, `date_done` a BSON Date. A chord
 * sent by Celeriac adds `chord_size` (Python reads the document as a plain group) and joins in
 * `celeriac_chords`: one document per finished header task (`<group>/<task>`, so a redelivered
 * task counts once) and one claim on the callback (`<group>/fired`). Both are inserts under a
 * unique `_id`, the one write every MongoDB-wire server makes atomic: FerretDB loses concurrent
 * `$addToSet` updates of one document (seen: 18 of 20 parts counted).
 */
import type { Collection, Db } from 'mongodb';
import { parseJson, stringifyJson } from '@celeriac/protocol';
import type { ChordProgress, GroupStore } from '@celeriac/core';
import { isDuplicateKey } from './mongo-errors.js';

export const GROUPMETA_COLLECTION = 'celery_groupmeta';
export const CHORDS_COLLECTION = 'celeriac_chords';

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

/** The group operations over one database; `ready` connects first. */
export class GroupMeta implements GroupStore {
  readonly #groups: Collection<GroupMetaDocument>;
  readonly #parts: Collection<ChordPartDocument>;

  constructor(
    database: Db,
    private readonly ready: () => Promise<void>,
  ) {
    this.#groups = database.collection<GroupMetaDocument>(GROUPMETA_COLLECTION);
    this.#parts = database.collection<ChordPartDocument>(CHORDS_COLLECTION);
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
    await this.#insertOnce({ _id: `${groupId}/${taskId}`, group: groupId, date_done: new Date() });
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
