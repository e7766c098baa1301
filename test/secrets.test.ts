/**
 * No secret in any output (issue 18, item 3): every command the CLI has that talks to the broker
 * (worker, beat, dashboard, events, inspect, control, topology and the one-shot commands), at
 * debug level, through a refused password, an unreachable broker and an unreachable MongoDB
 * backend, with a known password that is not the user name (in the URL, alone in
 * --broker-password-file, or in a URL read from --result-backend-file / CELERIAC_RESULT_BACKEND_FILE),
 * prints it nowhere: not in a log line, not in the error line, not in a stack. The TLS failure
 * leg is in tls-components.test.ts; a running worker's conf, metrics, dashboard and crash report
 * in secrets-surfaces.test.ts.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { deleteQueues } from './support/broker.js';
import { NO_QUEUE, expectNoSecret, runAllFailing } from './support/secret-components.js';
import { SpawnedCli } from './support/spawned-cli.js';

/** With characters a URL encodes, so a redaction of only the decoded (or only the encoded) form would show. */
const PASSWORD = `S3cr3t/${randomUUID().slice(0, 8)}@x`;
const ENCODED = encodeURIComponent(PASSWORD);
const FAILED = /cannot connect|ECONNREFUSED|refused/i;
const BACKEND = `mongodb://app:${ENCODED}@127.0.0.1:1/results?serverSelectionTimeoutMS=1000`;

describe('secrets never reach any output', function () {
  this.timeout(240_000);
  let dir: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'celeriac-secrets-'));
    await writeFile(join(dir, 'password'), `${PASSWORD}\n`);
    await writeFile(join(dir, 'backend'), `${BACKEND}\n`);
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
    await deleteQueues(NO_QUEUE);
  });

  it('a password the broker refuses, given in the URL', async () => {
    expectNoSecret(
      await runAllFailing({ CELERIAC_BROKER: `amqp://guest:${ENCODED}@127.0.0.1:5672//` }),
      PASSWORD,
      FAILED,
    );
  });

  it('a password the broker refuses, given alone in --broker-password-file', async () => {
    const env = {
      CELERIAC_BROKER: 'amqp://guest@127.0.0.1:5672//',
      CELERIAC_BROKER_PASSWORD_FILE: join(dir, 'password'),
    };
    expectNoSecret(await runAllFailing(env), PASSWORD, FAILED);
  });

  it('a broker that does not answer', async () => {
    expectNoSecret(await runAllFailing({ CELERIAC_BROKER: `amqp://guest:${ENCODED}@127.0.0.1:1//` }), PASSWORD, FAILED);
  });

  async function callWithBackend(flags: string[], env: NodeJS.ProcessEnv): Promise<string> {
    const args = ['call', 'secrets.task', '--queue', NO_QUEUE, '--wait', '--timeout', '5', '--log-level', 'debug'];
    const run = await SpawnedCli.run([...args, ...flags], env);
    const output = `${run.stdout}\n${run.stderr}`;
    expect(run.code, output).to.equal(1);
    // Only a MongoDB backend (the one in the file) times out selecting a server: the file was read.
    expect(output).to.match(/ECONNREFUSED|Server selection timed out/i);
    expect(output.includes(PASSWORD) || output.includes(ENCODED), `printed the password:\n${output}`).to.be.false;
    return output;
  }

  it('a MongoDB result backend that does not answer, with a password in its URL (CELERIAC_RESULT_BACKEND)', async () => {
    await callWithBackend([], { CELERIAC_RESULT_BACKEND: BACKEND });
  });

  it('the same backend URL read from --result-backend-file', async () => {
    await callWithBackend(['--result-backend-file', join(dir, 'backend')], {});
  });

  it('the same backend URL read from CELERIAC_RESULT_BACKEND_FILE', async () => {
    await callWithBackend([], { CELERIAC_RESULT_BACKEND_FILE: join(dir, 'backend') });
  });

  it('refuses --result-backend and --result-backend-file together, as a usage error', async () => {
    const run = await SpawnedCli.run(['call', 'secrets.task', '--result-backend', 'rpc://'], {
      CELERIAC_RESULT_BACKEND_FILE: join(dir, 'backend'),
    });
    expect(run.code).to.equal(2);
    expect(run.stderr).to.include('not both');
  });
});
