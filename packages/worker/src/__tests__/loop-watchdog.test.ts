import { expect } from 'chai';
import { LoopWatchdog, blockReport, type LoopBlock } from '../execution/loop-watchdog.js';
import type { BlockSuspects } from '../execution/inline-executor.js';
import { fakeJob } from './job-fixture.js';

function hold(ms: number): void {
  const end = Date.now() + ms;
  while (Date.now() < end);
}

describe('LoopWatchdog', function () {
  this.timeout(10_000);

  it('reports a block of a second or more once, with the handler whose synchronous part held it', async () => {
    const { job } = fakeJob({ name: 'tasks.render' });
    const none: BlockSuspects = { longest: null, running: [], finished: { count: 0, last: null, names: [] } };
    let suspects = none;
    const blocks: LoopBlock[] = [];
    const watchdog = new LoopWatchdog({
      suspects: () => {
        const now = suspects;
        suspects = none;
        return now;
      },
      onBlocked: (block) => blocks.push(block),
    });
    watchdog.start();
    try {
      await new Promise((resolve) => setTimeout(resolve, 150));
      hold(1300);
      suspects = {
        longest: { job, ms: 1300 },
        running: [],
        finished: { count: 1, last: job, names: ['tasks.render'] },
      };
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(blocks).to.have.length(1);
      expect(blocks[0]!.culprit).to.equal(job);
      expect(blocks[0]!.blockedMs).to.be.within(1000, 1500);
      expect(watchdog.delay.maxMs).to.be.at.least(1000);
      expect(blockReport(blocks[0]!)).to.match(
        /^task tasks\.render blocked the event loop for \d+ ms on the inline pool/,
      );
    } finally {
      watchdog.stop();
    }
  });

  it('names no task for a block outside any handler, and the candidates when several ran', () => {
    expect(blockReport({ blockedMs: 1200, culprit: null, suspects: { count: 0, names: [] } })).to.equal(
      'the event loop was blocked for 1200 ms outside any task handler: heartbeats and acks waited (past twice the heartbeat the broker drops the connection and delivers its unacknowledged tasks again)',
    );
    expect(
      blockReport({ blockedMs: 1200, culprit: null, suspects: { count: 2, names: ['tasks.a', 'tasks.b'] } }),
    ).to.match(/while 2 inline handlers ran \(tasks\.a, tasks\.b\), one of which computes synchronously/);
  });
});
