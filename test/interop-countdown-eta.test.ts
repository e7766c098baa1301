/**
 * Issue 11, item 6d: a countdown from a Celeriac client to a Python Celery worker. The whole
 * seconds wait in the delay lanes (rounded down, so the message never leaves them late); the
 * sub-second rest travels in the eta header, which the Python worker honours by holding the
 * message in its timer until then. That keeps DESIGN.md §4 (no long unacked holding: at most
 * the rest, under a second) and makes the lateness the broker's and the worker's timer's, not a
 * lost fraction of a second. Timings are measured by test/measure/countdown-lateness-python.ts,
 * not asserted here; this file asserts the mechanism. Runs once per peer (Celery 5.2 and 5.6).
 */
import { expect } from 'chai';
import { delayRoutingKey } from '@celeriac/amqp';
import { parseCeleryDate } from '@celeriac/protocol';
import { eventually } from './support/broker.js';
import { findInLanes } from './support/delay-lanes.js';
import { TaskHarness } from './support/task-harness.js';
import { PythonWorker } from './support/python-peer.js';

/** The fields of interop.request_info used here: the eta header and Python's own parse of it. */
interface RequestInfo {
  id: string;
  eta: string | null;
  eta_parsed: string | null;
}

const COUNTDOWN_S = 2.6;

function instant(text: unknown): number {
  const parsed = typeof text === 'string' ? parseCeleryDate(text) : null;
  expect(parsed, `not a Celery date: ${String(text)}`).to.be.instanceOf(Date);
  return parsed!.getTime();
}

describe('interop: a Celeriac countdown to a Python worker', function () {
  this.timeout(60_000);
  const harness = new TaskHarness('interop-countdown');
  let worker: PythonWorker | undefined;
  before(async () => (worker = await PythonWorker.start(harness.queue)));
  after(async () => {
    await worker?.stop();
    await harness.release();
  });

  it(`waits ${Math.floor(COUNTDOWN_S)} s in the lanes, carries the exact due time in the eta, and Python runs it no earlier`, async () => {
    const sentAt = Date.now();
    const result = await harness.sharedClient.sendTask<RequestInfo>(
      'interop.request_info',
      [],
      {},
      { countdown: COUNTDOWN_S },
    );
    const sentBy = Date.now();

    const [sighting] = await eventually(async () => {
      const found = (await findInLanes(harness.queue)).filter((s) => s.headers.id === result.id);
      return found.length > 0 ? found : undefined;
    });
    // Rounded down: the 2 s lane (celery_delayed_1), never the 3 s one, which would deliver late.
    expect([sighting?.lane, sighting?.routingKey]).to.deep.equal([
      'celery_delayed_1',
      delayRoutingKey(2, harness.queue),
    ]);
    const eta = instant(sighting?.headers.eta);
    expect(String(sighting?.headers.eta)).to.match(/\.\d{6}\+00:00$/);
    expect(eta, 'the eta is the full countdown, fraction included').to.be.within(
      sentAt + COUNTDOWN_S * 1000,
      sentBy + COUNTDOWN_S * 1000,
    );

    const info = await result.get({ timeoutMs: 20_000 });
    const doneAt = Date.now();
    expect(instant(info.eta_parsed), 'Python read the same instant').to.equal(eta);
    // Out of the lanes ~0.6 s early: only a worker that held it until the eta answers after it.
    expect(doneAt, 'Python ran it before its eta').to.be.at.least(eta);
  });
});
