/**
 * Beat on the real broker, in process: fires with slot task ids, one fire per slot with two
 * beats, failover to a standby, runtime edits through client.schedules, one-off schedules.
 * Every beat and schedule client of the run is in the run's beat group (BEAT_GROUP), so other
 * runs and applications on the broker neither see nor disturb them; inside the run every Beat is
 * stopped after each test, and these tests never overlap (mocha runs them serially).
 */
import { expect } from 'chai';
import type { GetMessage } from 'amqplib';
import { Beat, type BeatOptions, type FiredInfo } from '@celeriac/beat';
import { Client, InvalidArgumentError, ResultError } from '@celeriac/client';
import { MemoryScheduleStore, slotTaskId, type ScheduleInput, type ScheduleStore } from '@celeriac/core';
import { beatControlQueue } from '@celeriac/amqp';
import { decodeResult, type ResultMeta } from '@celeriac/protocol';
import { connect } from 'amqplib';
import {
  BEAT_GROUP,
  BROKER_URL,
  deleteQueues,
  drainQueue,
  eventually,
  sideBeatGroup,
  uniqueName,
} from './support/broker.js';
import { canCloseConnections, closeConnectionsNamed } from './support/connections.js';

class Harness {
  readonly queue = uniqueName('beat');
  readonly name = uniqueName('beat-schedule');
  readonly store: ScheduleStore = new MemoryScheduleStore();
  readonly fired: FiredInfo[] = [];
  readonly #beats: Beat[] = [];
  #client: Client | null = null;

  get client(): Client {
    this.#client ??= new Client({ brokerUrl: BROKER_URL, beatGroup: BEAT_GROUP });
    return this.#client;
  }

  /** A schedule firing every second into this test's queue. */
  everySecond(overrides: Partial<ScheduleInput> = {}): ScheduleInput {
    return {
      name: this.name,
      task: 'celeriac.test.beat.tick',
      schedule: { kind: 'interval', everyMs: 1000 },
      options: { queue: this.queue },
      ...overrides,
    };
  }

  async beat(options: Partial<BeatOptions> = {}): Promise<Beat> {
    const beat = new Beat({ brokerUrl: BROKER_URL, store: this.store, beatGroup: BEAT_GROUP, ...options });
    beat.on('schedule:fired', (info) => this.fired.push(info));
    this.#beats.push(beat);
    await beat.start();
    return beat;
  }

  /** Waits until `beat` leads (its loop runs and it answers commands). */
  async leading(beat: Beat): Promise<Beat> {
    await eventually(() => (beat.isLeader ? true : undefined), 5000);
    return beat;
  }

  firedOf(name = this.name): FiredInfo[] {
    return this.fired.filter((info) => info.name === name);
  }

  async waitFires(count: number, name = this.name, timeoutMs = 8000): Promise<FiredInfo[]> {
    return eventually(() => (this.firedOf(name).length >= count ? this.firedOf(name) : undefined), timeoutMs);
  }

  async release(): Promise<void> {
    await Promise.all(this.#beats.splice(0).map((beat) => beat.stop()));
    await this.#client?.close();
    await deleteQueues(this.queue);
  }
}

function taskIds(messages: GetMessage[]): string[] {
  return messages.map((message) => String((message.properties.headers as Record<string, unknown>).id));
}

function countById(ids: string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const id of ids) counts.set(id, (counts.get(id) ?? 0) + 1);
  return counts;
}

/** Sends `body` to beat's control queue as a raw message and returns the reply. */
async function rawCommand(body: Buffer): Promise<ResultMeta> {
  const connection = await connect(BROKER_URL);
  try {
    const channel = await connection.createChannel();
    const { queue } = await channel.assertQueue('', { exclusive: true });
    const reply = new Promise<ResultMeta>(
      (resolve) =>
        void channel.consume(queue, (message) => message && resolve(decodeResult(message.content)), { noAck: true }),
    );
    channel.sendToQueue(beatControlQueue(BEAT_GROUP).name, body, {
      correlationId: 'raw-request',
      replyTo: queue,
      expiration: '5000',
    });
    const meta = await reply;
    expect(meta.task_id).to.equal('raw-request');
    return meta;
  } finally {
    await connection.close();
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

describe('beat (real broker)', function () {
  this.timeout(30_000);
  let harness: Harness;
  beforeEach(() => (harness = new Harness()));
  afterEach(() => harness.release());

  it('fires an interval schedule every second with task id = slotTaskId(name, slot)', async () => {
    await harness.beat({ schedules: [harness.everySecond({ args: [1, 2] })] });
    const fired = await harness.waitFires(3);
    for (const info of fired) expect(info.taskId).to.equal(slotTaskId(harness.name, info.slot));
    // Anchored slots: exactly one period apart, no drift.
    expect(fired[1]!.slot.getTime() - fired[0]!.slot.getTime()).to.equal(1000);
    expect(fired[2]!.slot.getTime() - fired[1]!.slot.getTime()).to.equal(1000);
    const messages = await drainQueue(harness.queue);
    expect(taskIds(messages).slice(0, 3)).to.deep.equal(fired.slice(0, 3).map((info) => info.taskId));
    const headers = messages[0]!.properties.headers as Record<string, unknown>;
    expect(headers.task).to.equal('celeriac.test.beat.tick');
    // Beat reads no results, so its tasks ask for no reply.
    expect(messages[0]!.properties.replyTo).to.equal(undefined);
    expect((JSON.parse(messages[0]!.content.toString()) as unknown[])[0]).to.deep.equal([1, 2]);
    const entry = await harness.store.get(harness.name);
    expect(entry?.runCount).to.be.at.least(3);
  });

  it('fires each slot exactly once with two beats sharing one store', async () => {
    const a = await harness.beat({ schedules: [harness.everySecond()] });
    const b = await harness.beat({ schedules: [harness.everySecond()] });
    await eventually(() => (a.isLeader || b.isLeader ? true : undefined), 5000);
    expect([a.isLeader, b.isLeader].filter(Boolean)).to.have.length(1);
    await harness.waitFires(4);
    await Promise.all([a.stop(), b.stop()]);
    const ids = taskIds(await drainQueue(harness.queue));
    expect(ids.length).to.be.at.least(4);
    expect([...countById(ids).values()].every((count) => count === 1)).to.equal(true);
  });

  it('lets a standby take over when the leader stops, with no slot fired twice or lost', async () => {
    const schedule = harness.everySecond({ missedRuns: 'all' });
    const leader = await harness.leading(await harness.beat({ schedules: [schedule] }));
    const standby = await harness.beat({ schedules: [schedule] });
    expect(standby.state).to.equal('STANDBY');
    await harness.waitFires(2);
    const acquired = new Promise<number>((resolve) => standby.once('leader:acquired', () => resolve(Date.now())));
    const stoppedAt = Date.now();
    await leader.stop();
    const takeover = (await acquired) - stoppedAt;
    console.log(`      (standby took over ${takeover} ms after the leader stopped)`);
    const before = harness.firedOf().length;
    await harness.waitFires(before + 2);
    await standby.stop();
    const ids = taskIds(await drainQueue(harness.queue));
    expect([...countById(ids).values()].every((count) => count === 1)).to.equal(true);
    // missedRuns 'all': the slots form an unbroken run, one second apart.
    const slots = harness
      .firedOf()
      .map((info) => info.slot.getTime())
      .sort((x, y) => x - y);
    for (let i = 1; i < slots.length; i++) expect(slots[i]! - slots[i - 1]!).to.equal(1000);
    expect(ids.length).to.equal(slots.length);
  });

  it('stops firing at once when the leader loses its lock connection; one beat leads again, no slot twice', async function () {
    if (!(await canCloseConnections())) this.skip();
    const connectionName = uniqueName('beat-conn');
    // No tolerance: a slot then fires no earlier than its time, so a slot after the loss was started after it.
    const beat = (extra: Partial<BeatOptions>) =>
      harness.beat({ schedules: [harness.everySecond()], tickToleranceMs: 0, ...extra });
    const first = await harness.leading(await beat({ connectionName }));
    const second = await beat({});
    // A fire already under way when the lock went may still complete; none may start after it.
    let lostAt: number | null = null;
    let startedWhileFollowing = 0;
    first.on('leader:lost', () => (lostAt = Date.now()));
    first.on('leader:acquired', () => (lostAt = null));
    first.on(
      'schedule:fired',
      (info) => lostAt !== null && info.slot.getTime() > lostAt && (startedWhileFollowing += 1),
    );
    const lost = new Promise<void>((resolve) => first.once('leader:lost', () => resolve()));
    await harness.waitFires(1);
    expect(await closeConnectionsNamed(`${connectionName}:lock`)).to.equal(1);
    await lost;
    // The lock went with the connection: the standby, or the old leader once it reconnected, takes it.
    await eventually(() => (first.isLeader !== second.isLeader ? true : undefined), 5000);
    await harness.waitFires(harness.firedOf().length + 2);
    expect(startedWhileFollowing).to.equal(0);
    const ids = taskIds(await drainQueue(harness.queue));
    expect([...countById(ids).values()].every((count) => count === 1)).to.equal(true);
  });

  it('lets two beat groups on one vhost lead at once, each answering its own clients', async () => {
    const other = sideBeatGroup('other');
    const ours = await harness.leading(await harness.beat({ schedules: [harness.everySecond()] }));
    const theirs = await harness.leading(await harness.beat({ beatGroup: other, store: new MemoryScheduleStore() }));
    expect([ours.isLeader, theirs.isLeader]).to.deep.equal([true, true]);
    const theirClient = new Client({ brokerUrl: BROKER_URL, beatGroup: other });
    try {
      expect((await theirClient.schedules.list()).map((entry) => entry.name)).to.deep.equal([]);
      expect((await harness.client.schedules.list()).map((entry) => entry.name)).to.deep.equal([harness.name]);
      await harness.waitFires(1);
    } finally {
      await theirClient.close();
      await harness.release();
      await deleteQueues(beatControlQueue(other).name);
    }
  });

  it('gives the lock up when it cannot load its store, so a healthy standby leads', async () => {
    const store = harness.store;
    const failing: ScheduleStore = {
      list: () => Promise.reject(new Error('store unreadable')),
      get: (name) => store.get(name),
      put: (definition) => store.put(definition),
      remove: (name) => store.remove(name),
      setEnabled: (name, enabled) => store.setEnabled(name, enabled),
      recordFire: (name, slot) => store.recordFire(name, slot),
      close: () => store.close(),
    };
    // No static schedules of its own: merging them reads the store too, and start() would fail.
    const broken = await harness.beat({ store: failing, schedules: [] });
    const healthy = await harness.beat({ schedules: [harness.everySecond()] });
    await harness.leading(healthy);
    await harness.waitFires(1);
    expect(broken.isLeader).to.equal(false);
  });

  it('applies add, update, disable, enable and remove from client.schedules without a restart', async () => {
    await harness.leading(await harness.beat());
    const added = await harness.client.schedules.add(harness.everySecond({ args: ['v1'] }));
    expect(added).to.include({ name: harness.name, runCount: 0, enabled: true });
    await harness.waitFires(1, harness.name, 4000);

    await harness.client.schedules.update(harness.everySecond({ args: ['v2'] }));
    await eventually(async () => {
      const messages = await drainQueue(harness.queue);
      return messages.some((message) => (JSON.parse(message.content.toString()) as unknown[][])[0]?.[0] === 'v2')
        ? true
        : undefined;
    }, 4000);

    const disabled = await harness.client.schedules.disable(harness.name);
    expect(disabled.enabled).to.equal(false);
    const whileDisabled = harness.firedOf().length;
    await sleep(2200);
    expect(harness.firedOf().length).to.equal(whileDisabled);

    await harness.client.schedules.enable(harness.name);
    await harness.waitFires(whileDisabled + 1, harness.name, 4000);

    const listed = await harness.client.schedules.list();
    expect(listed.find((entry) => entry.name === harness.name)?.runCount).to.be.at.least(2);
    expect(await harness.client.schedules.remove(harness.name)).to.equal(true);
    expect(await harness.client.schedules.remove(harness.name)).to.equal(false);
    const afterRemove = harness.firedOf().length;
    await sleep(2200);
    expect(harness.firedOf().length).to.equal(afterRemove);
    expect(await harness.store.get(harness.name)).to.equal(null);
  });

  it('skips the merge of static schedules the store merged last, and merges again after a runtime edit', async () => {
    let reads = 0;
    const counted = {
      staticDigest: 'sha256:test',
      schedules: async () => {
        reads += 1;
        return [harness.everySecond()];
      },
    };
    const first = await harness.leading(await harness.beat(counted));
    await harness.waitFires(1);
    await first.stop();
    await harness.leading(await harness.beat(counted)); // a restart: the store holds this merge
    expect(reads).to.equal(1);

    await harness.client.schedules.remove(harness.name); // a runtime edit: the merge would change the store
    await harness.release();
    await harness.leading(await harness.beat(counted));
    expect(reads).to.equal(2);
    expect(await harness.store.get(harness.name)).to.include({ name: harness.name, enabled: true });
  });

  it('rejects an invalid cron expression and an update of an unknown schedule with a clear message', async () => {
    await harness.leading(await harness.beat());
    const badCron = harness.everySecond({ schedule: { kind: 'cron', expression: '61 * * * *' } });
    const error = await harness.client.schedules.add(badCron).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).to.be.instanceOf(InvalidArgumentError);
    expect((error as Error).message)
      .to.contain(harness.name)
      .and.to.match(/cron/i);
    // Beat checks too, whoever sends the command.
    const remote = await rawCommand(Buffer.from(JSON.stringify({ op: 'add', schedule: badCron })));
    expect(remote.status).to.equal('FAILURE');
    expect(remote.result).to.include({ exc_type: 'InvalidArgumentError' });
    expect(JSON.stringify(remote.result)).to.match(/invalid cron expression '61 \* \* \* \*'/);
    const unknown = await harness.client.schedules.update(harness.everySecond({ name: uniqueName('missing') })).then(
      () => null,
      (e: unknown) => e,
    );
    expect(unknown).to.be.instanceOf(InvalidArgumentError);
    expect((unknown as Error).message).to.match(/no schedule named/);
    expect(await harness.store.get(harness.name)).to.equal(null);
  });

  it('answers a malformed command with FAILURE and keeps serving', async () => {
    await harness.leading(await harness.beat());
    const reply = await rawCommand(Buffer.from('{"op":"explode"}'));
    expect(reply.status).to.equal('FAILURE');
    expect(JSON.stringify(reply.result)).to.contain('unknown schedule command op');
    expect(await harness.client.schedules.list()).to.be.an('array');
  });

  it('fires a once schedule once and then disables it', async () => {
    await harness.leading(await harness.beat());
    const at = new Date(Date.now() + 1000);
    await harness.client.schedules.add({
      name: harness.name,
      task: 'celeriac.test.beat.once',
      schedule: { kind: 'once', at },
      options: { queue: harness.queue },
    });
    const [fired] = await harness.waitFires(1, harness.name, 5000);
    expect(fired!.slot.getTime()).to.equal(at.getTime());
    const entry = await eventually(async () => {
      const stored = await harness.store.get(harness.name);
      return stored && !stored.enabled ? stored : undefined;
    }, 3000);
    expect(entry.runCount).to.equal(1);
    await sleep(1200);
    expect(taskIds(await drainQueue(harness.queue))).to.deep.equal([slotTaskId(harness.name, at)]);
  });

  it('times out clearly when no beat answers', async () => {
    const error = await harness.client.schedules.list({ timeoutMs: 500 }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).to.be.instanceOf(ResultError).with.property('code', 'RESULT_TIMEOUT');
    expect((error as Error).message).to.match(/no beat answered/);
  });
});
