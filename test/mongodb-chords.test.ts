/**
 * The chord join in MongoDB (packages/mongodb group-meta.ts) against a real server: a header task
 * counts once however often it is delivered, the body is claimed by exactly one of many
 * concurrent finishers, and a claim given back (the body could not be sent) can be taken again.
 * With a worker: a header task redelivered after its SUCCESS was stored (its worker died before
 * counting it) is not run again but still counts, so the chord completes.
 */
import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { Client, chord, group } from '@celeriac/client';
import { defineTask } from '@celeriac/core';
import { MongoResultBackend } from '@celeriac/mongodb';
import { TaskRegistry, Worker } from '@celeriac/worker';
import { MONGODB_PENDING, MONGODB_URL, dropDatabase, uniqueDatabaseUrl } from './support/mongodb.js';
import { BROKER_URL, deleteQueues, uniqueName } from './support/broker.js';

const add = defineTask<[x: number, y: number], number>('chords.add');
const total = defineTask<[values: number[]], number>('chords.total');

if (MONGODB_URL === null) {
  describe(`MongoDB chord join (pending: ${MONGODB_PENDING})`, () => {
    it('counts each header task once and lets one finisher claim the body');
  });
} else {
  defineCases(MONGODB_URL);
}

function defineCases(serverUrl: string): void {
  describe('MongoDB chord join', function () {
    this.timeout(30_000);
    const { url, database } = uniqueDatabaseUrl(serverUrl, 'celeriac_chords');
    let backend: MongoResultBackend;

    before(() => {
      backend = new MongoResultBackend(url);
    });

    after(async () => {
      await backend.close();
      await dropDatabase(url, database);
    });

    it('counts a redelivered header task once', async function () {
      const group = uniqueName('chord');
      await backend.saveGroup(group, ['a', 'b'], 2);
      expect(await backend.chordPartDone(group, 'a')).to.deep.equal({ done: 1, size: 2, fired: false });
      expect(await backend.chordPartDone(group, 'a')).to.deep.equal({ done: 1, size: 2, fired: false });
      expect(await backend.chordPartDone(group, 'b')).to.deep.equal({ done: 2, size: 2, fired: false });
    });

    it('lets exactly one of many concurrent finishers claim the body', async function () {
      const group = uniqueName('chord');
      const ids = Array.from({ length: 16 }, (_, index) => `t${index}`);
      await backend.saveGroup(group, ids, ids.length);
      const progress = await Promise.all(ids.map((id) => backend.chordPartDone(group, id)));
      expect(progress.some((step) => step?.done === ids.length)).to.equal(true);
      const claims = await Promise.all(ids.map(() => backend.claimChord(group)));
      expect(claims.filter(Boolean)).to.have.length(1);
      expect(await backend.chordPartDone(group, 't0')).to.include({ done: ids.length, fired: true });
    });

    it('lets a released claim be taken again, so a redelivery can send the body', async function () {
      const group = uniqueName('chord');
      await backend.saveGroup(group, ['a'], 1);
      expect(await backend.claimChord(group)).to.equal(true);
      await backend.releaseChord(group);
      expect(await backend.claimChord(group)).to.equal(true);
    });

    it('counts a header task that is redelivered after its SUCCESS was stored, without running it', async function () {
      const queue = uniqueName('chords');
      const runs: number[][] = [];
      const tasks = new TaskRegistry()
        .register(add, (x, y) => (runs.push([x, y]), x + y))
        .register(total, (values) => values.reduce((sum, value) => sum + value, 0));
      const worker = new Worker({ brokerUrl: BROKER_URL, tasks, queues: [queue], resultBackend: url, mingle: false });
      const client = new Client({ brokerUrl: BROKER_URL, defaultQueue: queue, resultBackend: url });
      try {
        await worker.start();
        // As if a worker stored this header task's SUCCESS, then died before counting it.
        const done = randomUUID();
        await backend.store({
          taskId: done,
          state: 'SUCCESS',
          result: 3,
          traceback: null,
          replyTo: null,
          correlationId: done,
        });
        const header = group(add.s(1, 2).set({ task_id: done }), add.s(3, 4));
        const result = await client.send(chord(header, total.s()));
        expect(await result.get({ timeoutMs: 15_000 })).to.equal(10);
        expect(runs).to.deep.equal([[3, 4]]);
      } finally {
        await worker.stop({ timeoutMs: 2000 });
        await client.close();
        await deleteQueues(queue);
      }
    });

    it('reads a plain group (no chord size, as Python saves it) as not counted', async function () {
      const group = uniqueName('group');
      await backend.saveGroup(group, ['a', 'b']);
      expect(await backend.restoreGroup(group)).to.deep.equal(['a', 'b']);
      expect(await backend.chordPartDone(group, 'a')).to.deep.equal({ done: 0, size: null, fired: false });
      expect(await backend.chordPartDone(uniqueName('missing'), 'a')).to.equal(null);
    });
  });
}
