/**
 * Celery's mongodb result backend: one `celery_taskmeta` document per task, replaced on every
 * state change. Python Celery clients and workers on the same database read and write the same
 * documents. Results expire through a TTL index on `date_done` (Celery 5.3.4+ writes a date), or,
 * on a server that refuses TTL indexes, by this process (expiry.ts).
 *
 * The TTL index is descending and named: Python Celery runs `create_index('date_done')` (ascending,
 * no options) on first use, and MongoDB refuses an index of the same key pattern with other
 * options (error 85), which would break every Python result write on a shared database. A
 * different key pattern lets both indexes live side by side; TTL works in either direction.
 */
import { MongoClient, type Collection } from 'mongodb';
import { READY_STATES, type ResultMeta } from '@celeriac/protocol';
import {
  ConfigurationError,
  ResultError,
  silentLogger,
  type ChordProgress,
  type MongoResultBackendOptions,
  type StateUpdate,
  type StoredResultBackend,
} from '@celeriac/core';
import { MongoConnection } from './mongo-connection.js';
import { Expiry } from './expiry.js';
import { isIndexConflict } from './mongo-errors.js';
import { DEFAULT_RESULT_DATABASE, databaseName } from './mongo-url.js';
import { FIRST_POLL_MS, nextPollMs, pollDelayMs, sleep } from './poll.js';
import { GroupMeta } from './group-meta.js';
import { TASKMETA_COLLECTION, resultMetaOf, taskMetaDocument, type TaskMetaDocument } from './task-meta.js';

export const DEFAULT_RESULT_EXPIRES_MS = 86_400_000;
export const DATE_DONE_INDEX = { date_done: -1 } as const;
export const DATE_DONE_INDEX_NAME = 'celeriac_date_done_ttl';

export class MongoResultBackend implements StoredResultBackend {
  readonly database: string;
  readonly expireAfterSeconds: number;
  readonly #client: MongoClient;
  readonly #connection: MongoConnection;
  readonly #collection: Collection<TaskMetaDocument>;
  readonly #expiry: Expiry<TaskMetaDocument>;
  readonly #groups: GroupMeta;
  #closed = false;

  /** Connects lazily (on the first operation), so a worker or client starts without a round trip. */
  constructor(url: string, options: MongoResultBackendOptions = {}) {
    this.database = databaseName(url, DEFAULT_RESULT_DATABASE);
    this.expireAfterSeconds = expireAfterSeconds(options.resultExpiresMs ?? DEFAULT_RESULT_EXPIRES_MS);
    this.#client = new MongoClient(url, { appName: 'celeriac' });
    this.#connection = new MongoConnection(this.#client, { role: 'the result backend', url });
    this.#collection = this.#client.db(this.database).collection<TaskMetaDocument>(TASKMETA_COLLECTION);
    const logger = options.logger ?? silentLogger;
    this.#groups = new GroupMeta(this.#client.db(this.database), {
      ready: async () => {
        await this.#connection.ready();
      },
      expireAfterSeconds: this.expireAfterSeconds,
      logger,
    });
    this.#expiry = new Expiry({
      collection: this.#collection,
      field: 'date_done',
      afterSeconds: this.expireAfterSeconds,
      createIndex: () => this.#createTtlIndex(),
      what: 'results',
      logger,
    });
  }

  /** Upserts the task's document, as Celery's `replace_one({'_id': id}, meta, upsert=True)`. */
  async store(update: StateUpdate): Promise<void> {
    await this.#connection.ready();
    await this.#expiry.ensure();
    const document = taskMetaDocument(update);
    await this.#collection.replaceOne({ _id: document._id }, document, { upsert: true });
    this.#expiry.touch();
  }

  /** Nothing to route: states are looked up by task id. */
  async replyTo(): Promise<null> {
    return null;
  }

  async latest(taskId: string): Promise<ResultMeta | null> {
    await this.#connection.ready();
    const document = await this.#collection.findOne({ _id: taskId });
    return document ? resultMetaOf(document) : null;
  }

  /** Polls with back-off until a ready state is stored, the timeout passes, or the backend closes. */
  async waitForReady(taskId: string, timeoutMs: number | null): Promise<ResultMeta> {
    const deadline = timeoutMs === null ? null : Date.now() + timeoutMs;
    for (let backoff = FIRST_POLL_MS; ; backoff = nextPollMs(backoff)) {
      const meta = await this.latest(taskId);
      if (meta && READY_STATES.has(meta.status)) return meta;
      if (deadline !== null && Date.now() >= deadline)
        throw new ResultError('RESULT_TIMEOUT', taskId, `no result for task ${taskId} within ${timeoutMs} ms`);
      await sleep(pollDelayMs(backoff, deadline, Date.now()));
      if (this.#closed)
        throw new ResultError(
          'RESULT_UNAVAILABLE',
          taskId,
          'the result backend was closed while waiting for the result',
        );
    }
  }

  saveGroup(groupId: string, taskIds: readonly string[], chordSize?: number | null): Promise<void> {
    return this.#groups.saveGroup(groupId, taskIds, chordSize);
  }

  restoreGroup(groupId: string): Promise<string[] | null> {
    return this.#groups.restoreGroup(groupId);
  }

  chordPartDone(groupId: string, taskId: string): Promise<ChordProgress | null> {
    return this.#groups.chordPartDone(groupId, taskId);
  }

  claimChord(groupId: string): Promise<boolean> {
    return this.#groups.claimChord(groupId);
  }

  releaseChord(groupId: string): Promise<void> {
    return this.#groups.releaseChord(groupId);
  }

  async close(): Promise<void> {
    this.#closed = true;
    await this.#connection.close();
  }

  /** True when the server refused the TTL index and this process deletes expired results itself. */
  get sweepsExpired(): boolean {
    return this.#expiry.sweeping;
  }

  async #createTtlIndex(): Promise<void> {
    try {
      await this.#collection.createIndex(DATE_DONE_INDEX, {
        name: DATE_DONE_INDEX_NAME,
        expireAfterSeconds: this.expireAfterSeconds,
      });
    } catch (error) {
      if (!isIndexConflict(error)) throw error;
      // Our index from a run with another expiry: change its expiry in place (MongoDB 5.1+).
      await this.#client.db(this.database).command({
        collMod: TASKMETA_COLLECTION,
        index: { keyPattern: DATE_DONE_INDEX, expireAfterSeconds: this.expireAfterSeconds },
      });
    }
  }
}

export function expireAfterSeconds(resultExpiresMs: number): number {
  if (!(Number.isFinite(resultExpiresMs) && resultExpiresMs > 0))
    throw new ConfigurationError('resultExpiresMs must be a positive number of milliseconds');
  return Math.ceil(resultExpiresMs / 1000);
}
