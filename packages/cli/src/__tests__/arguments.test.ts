/**
 * Command-line errors: each must be ONE stderr line (`celeriac: …` plus a --help hint) and exit
 * code 2, and must surface before anything connects to a broker. Runs `main` in-process.
 */
import { expect } from 'chai';
import { autoscaleSetting } from '../commands/worker.js';
import { lines, runMain, type Captured } from './support.js';

/** Port 1 refuses connections: a command that got as far as connecting would exit 1, not 2. */
const NO_BROKER = ['--broker', 'amqp://nobody:secret@127.0.0.1:1//'];

function expectUsageError(result: Captured, pattern: RegExp): void {
  expect(result.code, result.stderr).to.equal(2);
  expect(result.stdout).to.equal('');
  const [line, ...rest] = lines(result.stderr);
  expect(rest, 'exactly one stderr line').to.deep.equal([]);
  expect(line).to.match(/^celeriac: /);
  expect(line).to.match(pattern);
  expect(line).to.match(/\(see 'celeriac (\w+ )?--help'\)$/);
}

describe('celeriac arguments', function () {
  it('rejects an unknown flag', async function () {
    expectUsageError(await runMain(['call', 'tasks.add', '--bogus', '1']), /Unknown arguments?: bogus/);
  });

  it('rejects an unknown command', async function () {
    expectUsageError(await runMain(['frobnicate']), /Unknown argument: frobnicate/);
  });

  it('asks for a command when none is given', async function () {
    expectUsageError(await runMain([]), /name a command: worker, call, result, beat or schedule/);
  });

  it('names the command in the hint', async function () {
    const result = await runMain(['call']);
    expectUsageError(result, /Not enough non-option arguments/);
    expect(result.stderr).to.include("(see 'celeriac call --help')");
  });

  it('rejects --args that is not JSON', async function () {
    expectUsageError(await runMain(['call', 't', '--args', '[1,', ...NO_BROKER]), /--args is not valid JSON/);
  });

  it('rejects --args that is JSON but not an array', async function () {
    expectUsageError(
      await runMain(['call', 't', '--args', '{"x": 1}', ...NO_BROKER]),
      /--args must be a JSON array, got \{"x":1\}/,
    );
  });

  it('rejects --kwargs that is not an object', async function () {
    expectUsageError(await runMain(['call', 't', '--kwargs', '[1]', ...NO_BROKER]), /--kwargs must be a JSON object/);
  });

  it('rejects a number flag that is not a number (yargs would pass NaN on)', async function () {
    expectUsageError(
      await runMain(['call', 't', '--countdown', 'soon', ...NO_BROKER]),
      /--countdown must be a number of seconds >= 0/,
    );
  });

  it('rejects an out-of-range priority', async function () {
    expectUsageError(
      await runMain(['call', 't', '--priority', '300', ...NO_BROKER]),
      /--priority must be an integer from 0 to 255, got 300/,
    );
  });

  it('rejects a flag given twice instead of silently taking an array', async function () {
    expectUsageError(
      await runMain(['call', 't', '--queue', 'a', '--queue', 'b', ...NO_BROKER]),
      /--queue was given more than once/,
    );
  });

  it('rejects a flag missing its value', async function () {
    expectUsageError(await runMain(['call', 't', '--queue']), /Not enough arguments following: queue/);
  });

  it("passes the client's own checks on as usage errors, before connecting", async function () {
    expectUsageError(
      await runMain(['call', 't', '--countdown', '5', '--eta', '2030-01-01T00:00:00Z', ...NO_BROKER]),
      /either countdown or eta/,
    );
  });

  it('rejects --wait when results are disabled', async function () {
    expectUsageError(
      await runMain(['call', 't', '--wait', '--result-backend', 'disabled', ...NO_BROKER]),
      /--wait needs a result backend/,
    );
  });

  it('rejects an unsupported result backend, naming where it came from', async function () {
    expectUsageError(
      await runMain(['result', 'id'], { CELERIAC_RESULT_BACKEND: 'redis://localhost' }),
      /CELERIAC_RESULT_BACKEND: unsupported result backend "redis"/,
    );
  });

  it('rejects a broker that is not an AMQP URL without echoing it (it may hold a password)', async function () {
    const result = await runMain(['call', 't', '--broker', 'http://user:hunter2@host/']);
    expectUsageError(result, /--broker must be an amqp:\/\/ or amqps:\/\/ URL/);
    expect(result.stderr).to.not.include('hunter2');
  });

  it('requires --app for the worker, from the flag or CELERIAC_APP', async function () {
    expectUsageError(await runMain(['worker']), /missing required option --app \(or CELERIAC_APP\)/);
  });

  it('reports a bad value from the environment by its variable name', async function () {
    expectUsageError(
      await runMain(['worker', '--app', 'x.js'], { CELERIAC_CONCURRENCY: 'many' }),
      /CELERIAC_CONCURRENCY must be an integer from 1 to 65535, got "many"/,
    );
  });

  it('takes the queue type from --queue-type or CELERIAC_QUEUE_TYPE: classic or quorum only', async function () {
    for (const command of [['call', 't'], ['beat'], ['worker', '--app', 'x.js']])
      expectUsageError(
        await runMain(command, { CELERIAC_QUEUE_TYPE: 'stream' }),
        /CELERIAC_QUEUE_TYPE must be one of classic, quorum, got "stream"/,
      );
    expectUsageError(await runMain(['worker', '--app', 'x.js', '--queue-type', 'stream']), /queue-type/);
  });

  it('checks the worker semantics flags before connecting', async function () {
    expectUsageError(
      await runMain(['worker', '--app', 'x.js', '--pool', 'forks']),
      /--pool must be one of threads, processes, inline/,
    );
    expectUsageError(
      await runMain(['worker', '--app', 'x.js', '--autoscale', '3,5']),
      /--autoscale must be MAX,MIN with 1 <= MAX and MIN <= MAX/,
    );
    expectUsageError(
      await runMain(['worker', '--app', 'x.js', '--max-tasks-per-child', '0']),
      /--max-tasks-per-child must be an integer >= 1/,
    );
    expectUsageError(
      await runMain(['worker', '--app', 'x.js', '--max-memory-per-child', 'lots']),
      /--max-memory-per-child must be an integer >= 1/,
    );
    expectUsageError(
      await runMain(['worker', '--app', 'x.js', '--max-priority', '256']),
      /--max-priority must be an integer from 1 to 255/,
    );
    expectUsageError(
      await runMain(['worker', '--app', 'x.js', '--max-deliveries', '0']),
      /--max-deliveries must be an integer >= 1/,
    );
    expectUsageError(
      await runMain(['worker', '--app', 'x.js', '--shutdown-timeout', '-1']),
      /--shutdown-timeout must be a number of seconds >= 0/,
    );
    expectUsageError(
      await runMain(['worker', '--app', 'x.js', '--processes', '-2']),
      /--processes must be an integer from 0 to 1024/,
    );
    expectUsageError(
      await runMain(['worker', '--app', 'x.js', '--metrics-port', '70000']),
      /--metrics-port must be an integer from 0 to 65535/,
    );
    expectUsageError(
      await runMain(['worker', '--app', 'x.js', '--processes', '2', '--metrics-port', '9808']),
      /--metrics-port serves one worker process; it cannot be combined with --processes/,
    );
  });

  it('explains that `result` cannot fetch by id with the rpc:// backend', async function () {
    expectUsageError(
      await runMain(['result', 'some-id', '--wait']),
      /the rpc:\/\/ result backend delivers a result only to the process that sent the task/,
    );
  });

  it('prints help on stdout and exits 0', async function () {
    const result = await runMain(['call', '--help']);
    expect(result.code).to.equal(0);
    expect(result.stderr).to.equal('');
    expect(result.stdout).to.include('celeriac call <task>').and.include('--kwargs');
  });

  it('prints the version', async function () {
    const result = await runMain(['--version']);
    expect(result.code).to.equal(0);
    expect(result.stdout.trim()).to.match(/^\d+\.\d+\.\d+/);
  });
});

describe('--autoscale', () => {
  it("reads Celery's MAX,MIN, MIN optional", () => {
    expect(autoscaleSetting('10,3')).to.deep.equal({ max: 10, min: 3 });
    expect(autoscaleSetting(' 4 ')).to.deep.equal({ max: 4, min: 0 });
    expect(autoscaleSetting(undefined)).to.equal(undefined);
    expect(() => autoscaleSetting('0')).to.throw(/--autoscale must be MAX,MIN/);
    expect(() => autoscaleSetting('a,b')).to.throw(/--autoscale must be MAX,MIN/);
  });
});
