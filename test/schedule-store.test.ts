import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { FileScheduleStore, MemoryScheduleStore, openScheduleStore, type ScheduleStore } from '@celeriac/core';
import { MongoScheduleStore } from '@celeriac/mongodb';
import { scheduleStoreContract } from './contract/schedule-store.contract.js';
import { MONGODB_PENDING, MONGODB_URL, dropDatabase, uniqueDatabaseUrl } from './support/mongodb.js';

scheduleStoreContract('MemoryScheduleStore', async () => new MemoryScheduleStore(), {
  putMany: true,
  staticDigest: true,
});

describe('FileScheduleStore (temp files)', () => {
  let directory = '';
  let count = 0;

  before(async () => {
    directory = await mkdtemp(join(tmpdir(), 'celeriac-schedule-store-'));
  });

  after(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  scheduleStoreContract(
    'FileScheduleStore',
    async () => new FileScheduleStore(join(directory, `store-${++count}.json`)),
    {
      putMany: true,
      staticDigest: true,
      listPlanned: true,
      reopen: async (store: ScheduleStore) => new FileScheduleStore((store as FileScheduleStore).path),
    },
  );
});

// MongoDB: the full contract against a real server when one is configured, a database per run
// (dropped after); otherwise every case is reported pending with the reason, never passed.
const mongoUrl = MONGODB_URL;
if (mongoUrl === null) {
  scheduleStoreContract(
    'MongoScheduleStore',
    async () => {
      throw new Error(MONGODB_PENDING);
    },
    { pending: MONGODB_PENDING },
  );
} else {
  describe('MongoScheduleStore (CELERIAC_TEST_MONGODB_URL)', () => {
    const { url, database } = uniqueDatabaseUrl(mongoUrl, 'celeriac_store_test');
    let count = 0;

    after(async () => {
      await dropDatabase(url, database);
    });

    // Through core's URL opener, as the beat and the CLI open it (the dynamic loader included).
    // Each case gets its own database, so cases never see each other's schedules.
    const fresh = () => new MongoScheduleStore(url, { database: `${database}_${++count}` });
    after(async () => {
      for (let i = 1; i <= count; i++) await dropDatabase(url, `${database}_${i}`);
    });

    it("openScheduleStore('mongodb://…') loads @celeriac/mongodb", async () => {
      const store = await openScheduleStore(url);
      expect(store).to.be.instanceOf(MongoScheduleStore);
      expect(await store.list()).to.deep.equal([]);
      await store.close();
    });

    scheduleStoreContract('MongoScheduleStore', async () => fresh(), {
      putMany: true,
      staticDigest: true,
      reopen: async (store: ScheduleStore) =>
        new MongoScheduleStore(url, { database: (store as MongoScheduleStore).database }),
    });
  });
}
