/**
 * Issue 7, broker side: a memory alarm (`set_vm_memory_high_watermark 0`, later back to 0.4)
 * while a client in this process publishes and two spawned workers consume. The broker blocks
 * publishing connections (connection.blocked): sends must wait through the alarm and be confirmed
 * after it, none failed, none lost, no connection dropped, and the consumers go on consuming.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'chai';
import { eventually } from '../support/broker.js';
import { drainAndStopWorkers } from './support/drain.js';
import { CONNECTION_EVENTS } from './support/event-log.js';
import { faultBroker } from './support/global-broker.js';
import { LoadFixture } from './support/load-fixture.js';
import { readLedger, tally, type Counts } from './support/ledger.js';
import { countLogs } from './support/redelivery-proof.js';
import { recordCase } from './support/results.js';
import { SteadyPublisher, type SendRecord } from './support/steady-publisher.js';

const LOAD = { perSecond: 250, window: 20, taskMs: 5 };
/** Queued just before the alarm, at least 12 s of work for the two workers (20 slots): what they consume while publishers are blocked. */
const BACKLOG = 4000;
const BACKLOG_TASK_MS = 60;
const BEFORE_MS = 3000;
/**
 * How long the alarm stays raised once the client is blocked: longer than two heartbeats (10 s
 * each), so a blocked connection that were taken for a dead one would show.
 */
const ALARM_MS = 25_000;
const EVENT_TIMEOUT_MS = 30_000;
/** RabbitMQ's default, restored after the alarm. */
const DEFAULT_WATERMARK = 0.4;

interface Alarm {
  blockedAt: number;
  unblockedAt: number;
  /** Tasks finished in the ledger when the client was blocked, and when it was unblocked. */
  doneAtBlock: number;
  doneAtUnblock: number;
}

describe('fault: a memory alarm blocks publishers under load', () => {
  const fixture = new LoadFixture('memory-alarm');
  const { queue, events } = fixture;

  before(() => fixture.open());

  after(async () => {
    await faultBroker().setMemoryWatermark(DEFAULT_WATERMARK);
    await fixture.close();
  });

  async function raiseAlarm(): Promise<Alarm> {
    const raisedAt = Date.now();
    await faultBroker().setMemoryWatermark(0);
    const blockedAt = await eventually(() => events.firstAfter('blocked', raisedAt), EVENT_TIMEOUT_MS);
    const doneAtBlock = readLedger(fixture.ledger).done.size;
    await sleep(ALARM_MS);
    const doneAtUnblock = readLedger(fixture.ledger).done.size;
    const clearedAt = Date.now();
    await faultBroker().setMemoryWatermark(DEFAULT_WATERMARK);
    return {
      blockedAt,
      unblockedAt: await eventually(() => events.firstAfter('unblocked', clearedAt), EVENT_TIMEOUT_MS),
      doneAtBlock,
      doneAtUnblock,
    };
  }

  it('holds sends during the alarm and confirms them after it; nothing fails, is lost or crashes', async () => {
    const { client, ledger } = fixture;
    const workers = await fixture.startWorkers();
    const publisher = new SteadyPublisher(client, { queue, ...LOAD });
    publisher.start();
    await sleep(BEFORE_MS);
    await publisher.burst(BACKLOG, BACKLOG_TASK_MS);
    const alarm = await raiseAlarm();
    await sleep(BEFORE_MS);
    await publisher.stop();
    await drainAndStopWorkers(workers, queue, ledger, publisher.sends.confirmed);

    const held = publisher.startedBetween(alarm.blockedAt, alarm.unblockedAt);
    expect(held, 'sends started while blocked').not.to.be.empty;
    expect(
      held.filter((send) => send.outcome !== 'confirmed' || (send.endedAt ?? 0) < alarm.unblockedAt),
      'held sends that did not wait for the unblock',
    ).to.deep.equal([]);
    expect(publisher.failed(), 'failed sends').to.deep.equal([]);
    expect(alarm.doneAtUnblock, 'tasks finished while publishers were blocked').to.be.greaterThan(alarm.doneAtBlock);
    const counts = tally(publisher.sends, readLedger(ledger));
    expect(counts).to.include({ unconfirmed: 0, lost: 0, duplicated: 0 });
    expect(events.count('lost'), 'connections the client lost').to.equal(0);
    expect(countLogs(workers, CONNECTION_EVENTS.lost), 'connections the workers lost').to.equal(0);
    recordCase('memory alarm (publishers blocked) under load', counts, notes(alarm, held, counts));
  });
});

function notes(alarm: Alarm, held: readonly SendRecord[], counts: Counts): string[] {
  const waits = held.map((send) => (send.endedAt ?? 0) - send.startedAt);
  return [
    `set_vm_memory_high_watermark 0 for ${ALARM_MS / 1000} s, then ${DEFAULT_WATERMARK}: the client was blocked (connection.blocked) for ${((alarm.unblockedAt - alarm.blockedAt) / 1000).toFixed(1)} s`,
    `${held.length} sends started while blocked; all waited and were confirmed after the unblock (waits ${Math.min(...waits)}–${Math.max(...waits)} ms); none failed`,
    `consumers were not blocked: of a backlog of ${BACKLOG} tasks queued just before, ${alarm.doneAtUnblock - alarm.doneAtBlock} finished during the alarm; no connection dropped; ${counts.succeeded} tasks ran in all`,
  ];
}
