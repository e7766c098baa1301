/**
 * A beat leads from its static merge as soon as the store has applied it, before the write that
 * makes it durable (a file store writing 100,000 schedules: start-merge.ts). On the real broker,
 * with a store whose write the test holds open: the beat fires before the write ends, records
 * after it, and start() resolves only then; a write that fails after the beat began firing ends
 * the start, and the beat fires no more.
 */
import { expect } from 'chai';
import { Beat, type FiredInfo } from '@celeriac/beat';
import {
  MemoryScheduleStore,
  firstDueMs,
  slotTaskId,
  type Logger,
  type PlannedEntry,
  type ScheduleDefinition,
  type ScheduleEntry,
  type ScheduleStore,
  type StaticMerge,
} from '@celeriac/core';
import type { GetMessage } from 'amqplib';
import { BEAT_GROUP, BROKER_URL, deleteQueues, drainQueueIfExists, eventually, uniqueName } from './support/broker.js';

/**
 * A store that applies a merge at once, hands out its listing, and makes it durable when the
 * test says; every change after it waits for that write, as in the file store's queue.
 */
class HeldWriteStore implements ScheduleStore {
  readonly #inner = new MemoryScheduleStore();
  /** What every change waits for: resolved until a merge is applied, then its held write. */
  #written: Promise<void> = Promise.resolve();
  readonly #held: Promise<void>;
  #settle!: { write: () => void; fail: (error: Error) => void };

  constructor() {
    this.#held = new Promise<void>((resolve, reject) => (this.#settle = { write: resolve, fail: reject }));
    this.#held.catch(() => undefined);
  }

  write(): void {
    this.#settle.write();
  }

  fail(error: Error): void {
    this.#settle.fail(error);
  }

  async putMany(
    definitions: readonly ScheduleDefinition[],
    merge?: StaticMerge,
    applied?: (listing: PlannedEntry[]) => void,
  ): Promise<ScheduleEntry[]> {
    await this.#written;
    const entries = await this.#inner.putMany(definitions, merge);
    this.#written = this.#held;
    const listing = (await this.#inner.list()).map((entry) => ({
      name: entry.name,
      next: firstDueMs(entry),
      entry: () => entry,
    }));
    applied?.(listing);
    await this.#written;
    return entries;
  }

  async recordFire(name: string, slot: Date): Promise<boolean> {
    await this.#written;
    return this.#inner.recordFire(name, slot);
  }

  async list(): Promise<ScheduleEntry[]> {
    await this.#written;
    return this.#inner.list();
  }

  async get(name: string): Promise<ScheduleEntry | null> {
    await this.#written;
    return this.#inner.get(name);
  }

  async put(definition: ScheduleDefinition): Promise<ScheduleEntry> {
    await this.#written;
    return this.#inner.put(definition);
  }

  async remove(name: string): Promise<boolean> {
    await this.#written;
    return this.#inner.remove(name);
  }

  async setEnabled(name: string, enabled: boolean): Promise<ScheduleEntry | null> {
    await this.#written;
    return this.#inner.setEnabled(name, enabled);
  }

  async close(): Promise<void> {}
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function firstMessages(queue: string): Promise<GetMessage[]> {
  return eventually(async () => {
    const messages = await drainQueueIfExists(queue);
    return messages.length > 0 ? messages : undefined;
  }, 8000);
}

describe('beat leading from a merge still being written (real broker)', function () {
  this.timeout(30_000);
  const queue = uniqueName('early-lead');
  const name = uniqueName('early-lead-schedule');
  let store: HeldWriteStore;
  let beat: Beat;
  const fired: FiredInfo[] = [];
  const logged: string[] = [];
  const logger: Logger = {
    log: (_level, message) => void logged.push(message),
    child: () => logger,
  };

  beforeEach(() => {
    store = new HeldWriteStore();
    fired.length = 0;
    logged.length = 0;
    beat = new Beat({
      brokerUrl: BROKER_URL,
      store,
      beatGroup: BEAT_GROUP,
      logger,
      schedules: [
        {
          name,
          task: 'celeriac.test.early_lead.tick',
          schedule: { kind: 'interval', everyMs: 1000 },
          options: { queue },
        },
      ],
    });
    beat.on('schedule:fired', (info) => fired.push(info));
  });

  afterEach(async () => {
    store.write();
    await beat.stop();
    await deleteQueues(queue);
  });

  it('fires before the write ends, records the fire after it, and start() resolves only then', async () => {
    let started = false;
    const starting = beat.start().then(() => (started = true));
    const [message] = await firstMessages(queue);
    expect(beat.isLeader).to.equal(true);
    expect(started).to.equal(false);
    expect(fired).to.deep.equal([]);
    store.write();
    await starting;
    const [first] = await eventually(() => (fired.length > 0 ? fired : undefined), 5000);
    const headers = message!.properties.headers as Record<string, unknown>;
    expect(headers.id).to.equal(first!.taskId);
    expect(first!.taskId).to.equal(slotTaskId(name, first!.slot));
  });

  it('ends the start when the write fails after the beat began firing: it fires no more', async () => {
    const starting = beat.start().then(
      () => null,
      (error: unknown) => error,
    );
    await firstMessages(queue);
    store.fail(new Error('no space left on the device'));
    expect(String(await starting)).to.equal('Error: no space left on the device');
    expect(beat.state).to.equal('FAILED');
    expect(beat.isLeader).to.equal(false);
    expect(beat.scheduledCount, 'the loop stopped').to.equal(0);
    const failedAt = logged.indexOf('beat failed to start');
    expect(failedAt).to.be.at.least(0);
    await sleep(2500);
    expect(await drainQueueIfExists(queue)).to.deep.equal([]);
    expect(fired).to.deep.equal([]);
    // A loop left running would try its slots again and say so; a stopped one is silent.
    expect(logged.slice(failedAt + 1).filter((message) => /fire|slot|schedule/.test(message))).to.deep.equal([]);
  });
});
