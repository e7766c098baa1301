/**
 * Interop B: a Celeriac Client calls tasks on the real Python Celery worker
 * (test/python/run_worker.sh, tasks in test/python/interop_tasks.py) over the real broker. Runs
 * once per peer, Celery 5.2 and 5.6 (support/python-peer.ts).
 */
import { expect } from 'chai';
import { Client, ResultError, TaskFailedError, type SendOptions } from '@celeriac/client';
import { parseCeleryDate } from '@celeriac/protocol';
import { BROKER_URL, deleteQueues, uniqueName } from './support/broker.js';
import { PythonWorker, assertPythonCelery } from './support/python-peer.js';

const RESULT_TIMEOUT_MS = 20_000;

/** What interop.request_info returns: Python's view of `self.request`, plus Python type names. */
interface RequestInfo {
  id: string;
  retries: unknown;
  timelimit: unknown;
  eta: string | null;
  expires: string | null;
  /** The instants the worker schedules and expires the task by (its own parse of the headers). */
  eta_parsed: string | null;
  expires_parsed: string | null;
  root_id: string;
  x_num: unknown;
  x_str: unknown;
  types: Record<string, string>;
}

describe('interop: Celeriac client → Python Celery worker', function () {
  this.timeout(60_000);
  const queue = uniqueName('interop-pyworker');
  let python: PythonWorker | undefined;
  let client: Client | undefined;

  before(async function () {
    await assertPythonCelery();
    python = await PythonWorker.start(queue);
    client = new Client({ brokerUrl: BROKER_URL, defaultQueue: queue });
  });

  after(async function () {
    await client?.close();
    await python?.stop();
    await deleteQueues(queue);
  });

  async function call<T>(
    name: string,
    args: unknown[] = [],
    kwargs: Record<string, unknown> = {},
    options: SendOptions = {},
  ): Promise<T> {
    const result = await client!.sendTask<T>(name, args, kwargs, { queue, ...options });
    const outcome = result.get({ timeoutMs: RESULT_TIMEOUT_MS }).catch((error: unknown) => {
      // No answer usually means Python rejected or choked on the message: its log says why.
      if (error instanceof ResultError)
        error.message += `\n--- Python worker log (tail) ---\n${python?.output.slice(-3000)}`;
      throw error;
    });
    return Promise.race([outcome, python!.crash()]);
  }

  async function failureOf(name: string, args: unknown[]): Promise<TaskFailedError> {
    const error = await call(name, args).then(
      () => null,
      (thrown: unknown) => thrown,
    );
    expect(error, python?.output.slice(-3000)).to.be.instanceOf(TaskFailedError);
    return error as TaskFailedError;
  }

  it('runs a Python task and returns its result', async function () {
    expect(await call('interop.add', [2, 3])).to.equal(5);
  });

  it('round-trips unicode, emoji, nested objects, null, big integers and floats', async function () {
    const args = [
      'żółć ✓ 漢字',
      '🦀 👍🏽',
      null,
      { nested: { list: [1, 'two', null, { deep: true }] } },
      2n ** 70n,
      -(2n ** 63n),
      2n ** 53n + 1n,
      1.5,
      1e-7,
    ];
    const kwargs = { klucz_żółć: '漢字', big: 2n ** 70n, none: null, obj: { a: [1, 2] } };
    expect(await call('interop.echo', args, kwargs)).to.deep.equal({ args, kwargs });
  });

  it('surfaces a Python exception as TaskFailedError with its type, message and traceback', async function () {
    const error = await failureOf('interop.fail', ['bad input: żółć']);
    expect(error).to.include({
      state: 'FAILURE',
      excType: 'ValueError',
      excModule: 'builtins',
      excMessage: 'bad input: żółć',
    });
    expect(error.traceback)
      .to.be.a('string')
      .and.include('Traceback (most recent call last)')
      .and.include('ValueError: bad input: żółć');
  });

  it('sends headers Python reads with the right types', async function () {
    const info = await call<RequestInfo>('interop.request_info', [], {}, { headers: { x_num: 1000, x_str: 'hi' } });
    // 1000 needs more than int16: py-amqp only reads it as int 1000 if we tagged it int32 ('I').
    expect(info).to.deep.include({
      x_num: 1000,
      x_str: 'hi',
      retries: 0,
      timelimit: [null, null],
      eta: null,
      expires: null,
      eta_parsed: null,
    });
    expect(info.types).to.include({ x_num: 'int', x_str: 'str', retries: 'int' });
    expect(info.root_id).to.equal(info.id);
  });

  it('delivers a countdown and expires that Python reads as the same instants', async function () {
    const sentAt = Date.now();
    const info = await call<RequestInfo>('interop.request_info', [], {}, { countdown: 1, expires: 60 });
    expectWithinASecond(info.eta_parsed, sentAt + 1_000);
    expectWithinASecond(info.expires_parsed, sentAt + 60_000);
    // Exact agreement with the header text: a fraction misread as microseconds would differ here.
    expect(instant(info.eta_parsed), `Python read eta ${info.eta} as ${info.eta_parsed}`).to.equal(instant(info.eta));
    expect(instant(info.expires_parsed), `Python read expires ${info.expires} as ${info.expires_parsed}`).to.equal(
      instant(info.expires),
    );
  });
});

function instant(isoText: string | null): number {
  expect(isoText, 'Python saw no date').to.be.a('string');
  const parsed = parseCeleryDate(isoText!);
  expect(parsed, `unparseable date ${isoText}`).to.be.instanceOf(Date);
  return parsed!.getTime();
}

function expectWithinASecond(isoText: string | null, expectedMs: number): void {
  const difference = Math.abs(instant(isoText) - expectedMs);
  expect(difference, `${isoText} vs ${new Date(expectedMs).toISOString()}`).to.be.at.most(1_000);
}
