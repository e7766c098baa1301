/**
 * Results and fire records expire on any MongoDB-compatible server. Where the TTL index is
 * refused (FerretDB 1.x, some hosted services) the process deletes expired documents itself:
 * one warning, bounded batches, at most once a minute. The refusal is injected for the Expiry
 * cases, so they run against every server; the end-to-end case runs where the server really
 * refuses, and checks the TTL index itself where it does not.
 */
import { expect } from 'chai';
import { MongoClient, MongoServerError, type Collection } from 'mongodb';
import type { Logger } from '@celeriac/core';
import { Expiry, MongoResultBackend } from '@celeriac/mongodb';
import { eventually } from './support/broker.js';
import {
  MONGODB_PENDING,
  MONGODB_SERVER,
  MONGODB_URL,
  dropDatabase,
  lacking,
  uniqueDatabaseUrl,
} from './support/mongodb.js';

interface Doc {
  _id: string;
  date_done: Date;
}

const HOUR_MS = 3600_000;

function recordingLogger(): { logger: Logger; lines: Array<{ level: string; message: string }> } {
  const lines: Array<{ level: string; message: string }> = [];
  const logger: Logger = { log: (level, message) => void lines.push({ level, message }), child: () => logger };
  return { logger, lines };
}

const ids = async (collection: Collection<Doc>) =>
  (await collection.find({}).sort({ _id: 1 }).toArray()).map((doc) => doc._id);

if (MONGODB_URL === null) {
  describe(`MongoDB expiry (pending: ${MONGODB_PENDING})`, () => {
    it('sweeps expired documents where the TTL index is refused');
  });
} else {
  defineCases(MONGODB_URL);
}

function defineCases(serverUrl: string): void {
  describe('MongoDB expiry without a TTL index', function () {
    this.timeout(30_000);
    const { url, database } = uniqueDatabaseUrl(serverUrl, 'celeriac_expiry_test');
    const client = new MongoClient(url);
    let collection: Collection<Doc>;
    let now = Date.now();

    before(async () => {
      await client.connect();
      collection = client.db(database).collection<Doc>('expiry_case');
    });

    after(async () => {
      await client.close();
      await dropDatabase(url, database);
    });

    it(`runs on the server CELERIAC_TEST_MONGODB_SERVER names (${MONGODB_SERVER}), so its pending cases are the server's`, async () => {
      const info = await client.db('admin').command({ buildInfo: 1 });
      expect(typeof info.ferretdbVersion === 'string' ? 'ferretdb' : 'mongodb').to.equal(MONGODB_SERVER);
    });

    const refused = () =>
      Promise.reject(
        new MongoServerError({ message: 'Index option "expireAfterSeconds" is not implemented yet', code: 238 }),
      );

    it('warns once, then deletes expired documents, at most once a minute, keeping the fresh ones', async () => {
      const { logger, lines } = recordingLogger();
      const expiry = new Expiry({
        collection,
        field: 'date_done',
        afterSeconds: 3600,
        createIndex: refused,
        what: 'results',
        logger,
        clock: () => now,
      });
      await collection.insertMany([
        { _id: 'old-1', date_done: new Date(now - 2 * HOUR_MS) },
        { _id: 'old-2', date_done: new Date(now - 25 * HOUR_MS) },
        { _id: 'fresh', date_done: new Date(now - 60_000) },
      ]);
      await expiry.ensure();
      await expiry.ensure();
      expect(lines.filter((line) => line.level === 'warn').map((line) => line.message)).to.deep.equal([
        'the server refused a TTL index on date_done; this process deletes expired results itself, at most once a minute',
      ]);
      expiry.touch();
      await eventually(async () => ((await ids(collection)).length === 1 ? true : undefined));
      expect(await ids(collection)).to.deep.equal(['fresh']);

      await collection.insertOne({ _id: 'old-3', date_done: new Date(now - 2 * HOUR_MS) });
      now += 30_000;
      expiry.touch(); // within the minute: no sweep
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(await ids(collection)).to.deep.equal(['fresh', 'old-3']);
      now += 31_000;
      expiry.touch();
      await eventually(async () => ((await ids(collection)).length === 1 ? true : undefined));
      expect(await ids(collection)).to.deep.equal(['fresh']);
    });

    it('treats a network error as passing: the index is tried again on the next write', async () => {
      let attempts = 0;
      const createIndex = () => (++attempts === 1 ? Promise.reject(new Error('connection reset')) : Promise.resolve());
      const expiry = new Expiry({
        collection,
        field: 'date_done',
        afterSeconds: 3600,
        createIndex,
        what: 'results',
        logger: recordingLogger().logger,
      });
      await expiry.ensure();
      await expiry.ensure();
      expect({ attempts, sweeping: expiry.sweeping }).to.deep.equal({ attempts: 2, sweeping: false });
    });

    const noTtl = lacking('ttlIndex');
    it(`a result backend on this server (${noTtl ? 'refuses TTL indexes' : 'has TTL indexes'}) ${noTtl ? 'sweeps expired results itself' : 'keeps the TTL index and sweeps nothing'}`, async () => {
      const { logger, lines } = recordingLogger();
      const backend = new MongoResultBackend(url, { resultExpiresMs: HOUR_MS, logger });
      const taskmeta = client.db(database).collection<Doc>('celery_taskmeta');
      try {
        await taskmeta.insertOne({ _id: 'expired-result', date_done: new Date(Date.now() - 2 * HOUR_MS) });
        await backend.store({
          taskId: 'fresh-result',
          state: 'SUCCESS',
          result: 1,
          traceback: null,
          replyTo: null,
          correlationId: 'fresh-result',
        });
        expect(backend.sweepsExpired).to.equal(noTtl !== null);
        if (noTtl === null) {
          expect((await taskmeta.indexes()).some((index) => index.expireAfterSeconds === 3600)).to.equal(true);
          return;
        }
        await eventually(async () =>
          (await taskmeta.countDocuments({ _id: 'expired-result' })) === 0 ? true : undefined,
        );
        expect(await taskmeta.countDocuments({ _id: 'fresh-result' })).to.equal(1);
        expect(lines.filter((line) => line.message.startsWith('the server refused a TTL index'))).to.have.length(1);
      } finally {
        await backend.close();
      }
    });

    it(`chord parts expire as results do, counted through an index on their group (${noTtl ? 'swept here' : 'TTL index here'})`, async () => {
      const backend = new MongoResultBackend(url, { resultExpiresMs: HOUR_MS, logger: recordingLogger().logger });
      const parts = client.db(database).collection<Doc & { group?: string }>('celeriac_chords');
      try {
        await parts.insertOne({
          _id: 'old-group/a',
          group: 'old-group',
          date_done: new Date(Date.now() - 2 * HOUR_MS),
        });
        await backend.saveGroup('chord-1', ['t1', 't2'], 2);
        expect(await backend.chordPartDone('chord-1', 't1')).to.deep.equal({ done: 1, size: 2, fired: false });
        const indexes = await parts.indexes();
        expect(indexes.some((index) => JSON.stringify(index.key) === '{"group":1}')).to.equal(true);
        if (noTtl === null) {
          expect(indexes.some((index) => index.expireAfterSeconds === 3600)).to.equal(true);
          return;
        }
        await eventually(async () => ((await parts.countDocuments({ _id: 'old-group/a' })) === 0 ? true : undefined));
        expect(await parts.countDocuments({ group: 'chord-1' })).to.equal(1);
      } finally {
        await backend.close();
      }
    });
  });
}
