/**
 * A handler that computes synchronously on the inline pool blocks the event loop that holds the
 * worker's AMQP connections. Past the heartbeat timeout the broker drops them and delivers the
 * task again. What shipped: the task ran again on every redelivery, five times, then was
 * dead-lettered as MAX_DELIVERIES although it succeeded every time (a 40 s handler with the
 * default 10 s heartbeat). Here a 1 s heartbeat and a 6 s block make the same happen sooner.
 *
 * Now: one error names the task and the pool to use, the outcome is kept, and the redelivery is
 * answered with it: one run, the caller gets its result, nothing is dead-lettered.
 */
import { expect } from 'chai';
import type { Logger } from '@celeriac/core';
import { TaskRegistry, type LoopBlockedInfo } from '@celeriac/worker';
import { BROKER_URL } from './support/broker.js';
import { takeDeadLetters } from './support/dead-letters.js';
import { TaskHarness } from './support/task-harness.js';

const BLOCK_MS = 6000;
const SHORT_HEARTBEAT_URL = `${BROKER_URL}${BROKER_URL.includes('?') ? '&' : '?'}heartbeat=1`;

function blockFor(ms: number): void {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    // computing, as a PDF renderer would: nothing else on this thread runs meanwhile
  }
}

describe('a synchronous handler that blocks the event loop past the heartbeat', function () {
  this.timeout(60_000);
  const harness = new TaskHarness('blocking');
  after(() => harness.release());

  it('runs once, answers its redelivery with the outcome, names the task, and dead-letters nothing', async () => {
    let runs = 0;
    const lines: Array<{ level: string; message: string }> = [];
    const logger: Logger = { log: (level, message) => void lines.push({ level, message }), child: () => logger };
    const tasks = new TaskRegistry().register<[]>('celeriac.test.blocking.render', () => {
      runs += 1;
      blockFor(BLOCK_MS);
      return 'rendered';
    });
    const worker = await harness.worker(tasks, { brokerUrl: SHORT_HEARTBEAT_URL, logger });
    const blocked: LoopBlockedInfo[] = [];
    worker.on('worker:loop-blocked', (info) => blocked.push(info));

    const result = await harness.sharedClient.sendTask<string>('celeriac.test.blocking.render', []);
    expect(await result.get({ timeoutMs: 40_000 })).to.equal('rendered');

    const messages = lines.map((line) => line.message);
    expect(
      messages.some((message) => /connection lost/.test(message)),
      'the broker dropped the blocked connection (else this test proves nothing)',
    ).to.equal(true);
    expect(messages.filter((message) => message.startsWith('redelivered after it finished here'))).to.have.length(1);
    expect(runs).to.equal(1);
    expect(blocked.map(({ id, name }) => ({ id, name }))).to.deep.equal([
      { id: result.id, name: 'celeriac.test.blocking.render' },
    ]);
    expect(blocked[0]?.blockedMs).to.be.at.least(1000);
    const error = lines.find((line) => line.message.startsWith('the handler blocked the event loop'));
    expect(error?.level).to.equal('error');
    expect(error?.message).to.include('--pool threads');
    expect(await takeDeadLetters([result.id])).to.deep.equal([]);
  });
});
