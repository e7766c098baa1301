/**
 * Interop A: the real Python Celery client (`app.send_task` + `AsyncResult.get()`, run by
 * test/python/send_task.py) calls tasks on a Celeriac worker over the real broker. Runs once per
 * peer, Celery 5.2 and 5.6 (support/python-peer.ts).
 */
import { expect } from 'chai';
import { defineTask } from '@celeriac/core';
import { Worker, TaskRegistry, type TaskContext } from '@celeriac/worker';
import { BROKER_URL, deleteQueues, uniqueName } from './support/broker.js';
import { takeDeadLetter } from './support/dead-letters.js';
import {
  assertPythonCelery,
  peerIsAtLeast,
  sendFromPython,
  type PythonSend,
  type PythonSendOutcome,
} from './support/python-peer.js';

/** A TS error whose name Python knows: it must arrive as a real builtins.ValueError. */
class ValueError extends Error {
  override name = 'ValueError';
}

/** A name Python does not know: Python synthesizes an exception class with this name. */
class QuotaExceededError extends Error {
  override name = 'QuotaExceededError';
}

const add = defineTask<[x: number, y: number], number>('ts.add');
const fail = defineTask<[message: string], never>('ts.fail');
const quota = defineTask<[message: string], never>('ts.quota');
const boom = defineTask<[value: { missing?: { field: unknown } }], unknown>('ts.boom');

function interopTasks(): TaskRegistry {
  return (
    new TaskRegistry()
      .register(add, (x, y) => x + y)
      .register('ts.echo', (...params) => {
        // The context comes last; everything before it is what Python sent positionally.
        const context = params.pop() as TaskContext;
        return { args: params, kwargs: context.kwargs };
      })
      .register(fail, (message) => {
        throw new ValueError(message);
      })
      .register(quota, (message) => {
        throw new QuotaExceededError(message);
      })
      .register('ts.headers', (ctx: TaskContext) => ctx.headers)
      // Deliberately dereferences undefined: a genuine JavaScript TypeError, not a constructed one.
      .register(boom, (value) => value.missing!.field)
  );
}

/** The headers every Celery 5.x client sends (celery/app/amqp.py as_task_v2). */
const CELERY_5_2_HEADERS = [
  'argsrepr',
  'eta',
  'expires',
  'group',
  'group_index',
  'id',
  'ignore_result',
  'kwargsrepr',
  'lang',
  'origin',
  'parent_id',
  'retries',
  'root_id',
  'shadow',
  'task',
  'timelimit',
];
/** Added by Celery 5.3 (stamping) and 5.3.5 (Task.replace nesting); 5.5 and 5.6 send them too. */
const CELERY_5_3_HEADERS = { replaced_task_nesting: 0, stamped_headers: null, stamps: {} };

const UNICODE = 'żółć ✓ 漢字';
const EMOJI = '🦀 emoji 👍🏽';

describe('interop: Python Celery client → Celeriac worker', function () {
  this.timeout(60_000);
  const queue = uniqueName('interop-pyclient');
  const replyQueues = new Set<string>();
  let worker: Worker | undefined;

  before(async function () {
    await assertPythonCelery();
    worker = new Worker({ brokerUrl: BROKER_URL, tasks: interopTasks(), queues: [queue], concurrency: 4 });
    await worker.start();
  });

  after(async function () {
    await worker?.stop({ timeoutMs: 5_000 });
    // Python's reply queues are auto-delete and normally gone already; these deletes are a safety net.
    await deleteQueues(queue, ...replyQueues);
  });

  async function send(
    name: string,
    args: unknown[] = [],
    kwargs: Record<string, unknown> = {},
    extra: Partial<PythonSend> = {},
  ): Promise<PythonSendOutcome> {
    const outcome = await sendFromPython({ name, queue, args, kwargs, ...extra });
    if (outcome.reply_to) replyQueues.add(outcome.reply_to);
    return outcome;
  }

  function expectSuccess(outcome: PythonSendOutcome): unknown {
    expect(outcome.status, outcome.line).to.equal('SUCCESS');
    return outcome.result;
  }

  it('runs a TS task with positional args and returns its result to Python', async function () {
    expect(expectSuccess(await send('ts.add', [2, 3]))).to.equal(5);
  });

  it('hands keyword args, unicode, emoji, nested objects and null to the task unchanged', async function () {
    const args = [UNICODE, EMOJI, null, { nested: { list: [1, 'two', null, { deep: true }] }, empty: {} }];
    const kwargs = { [`klucz_${UNICODE}`]: EMOJI, none: null, obj: { a: [1, 2], b: { c: UNICODE } } };
    const result = expectSuccess(await send('ts.echo', args, kwargs));
    expect(result).to.deep.equal({ args, kwargs });
  });

  it('keeps big integers exact and floats intact in both directions', async function () {
    const args = [2n ** 70n, -(2n ** 63n), 2n ** 53n + 1n, 1.5, 1e-7];
    const outcome = await send('ts.echo', args, { big: 2n ** 70n });
    expect(expectSuccess(outcome)).to.deep.equal({ args, kwargs: { big: 2n ** 70n } });
    // Python printed them with json.dumps: exact digits mean Python holds ints, not rounded floats.
    for (const digits of ['1180591620717411303424', '-9223372036854775808', '9007199254740993'])
      expect(outcome.line).to.include(digits);
  });

  it('turns a thrown ValueError-named error into a real Python ValueError with its message', async function () {
    const outcome = await send('ts.fail', ['bad input: żółć']);
    expect(outcome).to.include({
      status: 'FAILURE',
      exc_type: 'ValueError',
      exc_module: 'builtins',
      exc_message: 'bad input: żółć',
    });
    expect(outcome.traceback).to.be.a('string').and.include('bad input: żółć');
  });

  it('turns a custom error class into a Python exception of the same name', async function () {
    const outcome = await send('ts.quota', ['over the limit']);
    expect(outcome).to.include({ status: 'FAILURE', exc_type: 'QuotaExceededError', exc_message: 'over the limit' });
  });

  it('reports a JavaScript TypeError as a Python TypeError', async function () {
    const outcome = await send('ts.boom', [{}]);
    expect(outcome).to.include({ status: 'FAILURE', exc_type: 'TypeError', exc_module: 'builtins' });
    expect(outcome.exc_message).to.include("reading 'field'");
  });

  it("decodes the client's headers, which Celery 5.3+ extends with stamping and replace-nesting keys", async function () {
    const headers = expectSuccess(await send('ts.headers', [], {}, { headers: { x_custom: 'kept' } })) as Record<
      string,
      unknown
    >;
    // The wire differs here: 5.2 sends 16 headers, 5.3 and later three more. Celeriac must accept
    // both and pass the unknown ones through to the handler like any custom header.
    const expected = peerIsAtLeast(5, 3)
      ? [...CELERY_5_2_HEADERS, ...Object.keys(CELERY_5_3_HEADERS)]
      : CELERY_5_2_HEADERS;
    expect(Object.keys(headers).sort()).to.deep.equal([...expected, 'x_custom'].sort());
    if (peerIsAtLeast(5, 3)) expect(headers).to.deep.include(CELERY_5_3_HEADERS);
  });

  it('answers an unknown task with NotRegistered and keeps serving', async function () {
    const outcome = await send('ts.does_not_exist', [1]);
    expect(outcome).to.include({ status: 'FAILURE', exc_type: 'NotRegistered', exc_module: 'celery.exceptions' });
    expect(outcome.exc_message).to.include('ts.does_not_exist');
    // Taking it also keeps the shared dead-letter queue free of this test's leftovers.
    const deadLetter = await takeDeadLetter(outcome.task_id!);
    expect(deadLetter.properties.headers?.['x-celeriac-dead-code']).to.equal('NOT_REGISTERED');
    expect(expectSuccess(await send('ts.add', [20, 22]))).to.equal(42);
  });
});
