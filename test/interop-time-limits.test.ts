/**
 * A Python client's per-message time limit (`send_task(..., time_limit=...)`, the `timelimit`
 * header) enforced by a Celeriac worker. Runs once per peer, Celery 5.2 and 5.6
 * (support/python-peer.ts); the TS-only time-limit cases are in time-limits.test.ts.
 */
import { expect } from 'chai';
import { TaskRegistry } from '@celeriac/worker';
import { TaskHarness } from './support/task-harness.js';
import { assertPythonCelery, sendFromPython } from './support/python-peer.js';

const TASK = 'celeriac.test.interop-limits.task';

/** Never settles: only a hard limit ends it. */
const hang = () => new Promise<never>(() => undefined);

describe('interop: time limits from a Python client', function () {
  this.timeout(30_000);
  let harness: TaskHarness;
  beforeEach(() => (harness = new TaskHarness('interop-limits')));
  afterEach(() => harness.release());

  it("enforces a Python client's send_task(..., time_limit=1) on a Celeriac worker", async function () {
    await assertPythonCelery();
    await harness.worker(new TaskRegistry().register(TASK, hang));
    const outcome = await sendFromPython({ name: TASK, queue: harness.queue, timeLimit: 1, timeoutS: 15 });
    expect(outcome.status, outcome.line).to.equal('FAILURE');
    // billiard's TimeLimitExceeded, which celery.exceptions re-exports, rebuilt from exc_message
    // [1]: str() is "TimeLimitExceeded(1,)" (JSON has no 1.0, so Python's float comes back an int).
    expect([outcome.exc_type, outcome.exc_message]).to.deep.equal(['TimeLimitExceeded', 'TimeLimitExceeded(1,)']);
  });
});
