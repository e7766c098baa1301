/**
 * Issue 11, item 6b: NaN and ±Infinity, which Python's json writes as bare tokens, arrive as
 * JavaScript numbers and go back as the same tokens (never as null), in both directions:
 * a Python caller and a Celeriac handler, a Celeriac caller and a Python worker. Runs once per
 * peer (CELERIAC_TEST_PYTHON: Celery 5.2 and 5.6).
 */
import { expect } from 'chai';
import { TaskRegistry } from '@celeriac/worker';
import { deleteQueues } from './support/broker.js';
import { TaskHarness } from './support/task-harness.js';
import { PythonWorker } from './support/python-peer.js';
import { callFromPython } from './support/python-user.js';

const ECHO = 'celeriac.test.nan.echo';

/** What a JS handler saw, spelled out so that a null could not pass for a NaN. */
function describeNumber(value: unknown): string {
  if (typeof value !== 'number') return `${typeof value} ${String(value)}`;
  return Number.isNaN(value) ? 'NaN' : String(value);
}

describe('interop: NaN and Infinity between Python and Celeriac', function () {
  this.timeout(60_000);

  describe('Python caller → Celeriac worker', () => {
    const harness = new TaskHarness('interop-nan');
    const replyQueues: string[] = [];
    before(() =>
      harness.worker(
        new TaskRegistry().register(ECHO, (...params: unknown[]) => ({
          seen: params.slice(0, -1).map(describeNumber),
          back: params.slice(0, -1),
        })),
      ),
    );
    after(async () => {
      await harness.release();
      await deleteQueues(...replyQueues);
    });

    it('hands float("nan"), float("inf") and -inf to the handler as numbers and returns them as nan/inf to Python', async () => {
      const outcome = await callFromPython({ name: ECHO, queue: harness.queue, args: [NaN, Infinity, -Infinity, 1.5] });
      replyQueues.push(outcome.reply_to);
      expect(outcome.status, outcome.line).to.equal('SUCCESS');
      expect((outcome.result as { seen: string[] }).seen).to.deep.equal(['NaN', 'Infinity', '-Infinity', '1.5']);
      expect(outcome.result_repr).to.equal(
        "{'seen': ['NaN', 'Infinity', '-Infinity', '1.5'], 'back': [nan, inf, -inf, 1.5]}",
      );
    });
  });

  describe('Celeriac caller → Python worker', () => {
    const harness = new TaskHarness('interop-nan-py');
    let worker: PythonWorker | undefined;
    before(async () => (worker = await PythonWorker.start(harness.queue)));
    after(async () => {
      await worker?.stop();
      await harness.release();
    });

    it('sends NaN/Infinity args that Python reads as floats, and reads the ones Python returns', async () => {
      const result = await harness.sharedClient.sendTask('interop.echo', [NaN, Infinity, -Infinity], { x: NaN });
      const value = (await result.get({ timeoutMs: 20_000 })) as { args: unknown[]; kwargs: Record<string, unknown> };
      expect(value.args.map(describeNumber)).to.deep.equal(['NaN', 'Infinity', '-Infinity']);
      expect(describeNumber(value.kwargs.x)).to.equal('NaN');
    });
  });
});
