/**
 * No secret in any output (issue 18, item 3): every component the CLI starts, at debug level,
 * through a refused password, an unreachable broker and an unreachable MongoDB backend, with a
 * known password (in the URL, and alone in --broker-password-file), prints it nowhere: not in a
 * log line, not in the error line, not in a stack. (A TLS failure is in tls.test.ts.)
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { deleteQueues } from './support/broker.js';
import { SEMANTICS_APP, SpawnedCli } from './support/spawned-cli.js';

/** With characters a URL encodes, so a redaction of only the decoded (or only the encoded) form would show. */
const PASSWORD = `S3cr3t/${randomUUID().slice(0, 8)}@x`;
const ENCODED = encodeURIComponent(PASSWORD);

const COMPONENTS: Record<string, string[]> = {
  worker: ['worker', '--app', SEMANTICS_APP, '-Q', 'secrets.none'],
  beat: ['beat', '--store', 'memory:'],
  call: ['call', 'secrets.task'],
  schedule: ['schedule', 'ls'],
  dead: ['dead', 'ls'],
  purge: ['purge', '-Q', 'secrets.none', '--force'],
};

describe('secrets never reach any output', function () {
  this.timeout(120_000);
  let dir: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'celeriac-secrets-'));
    await writeFile(join(dir, 'password'), `${PASSWORD}\n`);
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
    await deleteQueues('secrets.none');
  });

  async function runAll(env: NodeJS.ProcessEnv, extra: string[] = []): Promise<Map<string, string>> {
    const outputs = new Map<string, string>();
    await Promise.all(
      Object.entries(COMPONENTS).map(async ([name, args]) => {
        const run = await SpawnedCli.run([...args, '--log-level', 'debug', ...extra], env);
        expect(run.code, `${name} fails`).to.equal(1);
        outputs.set(name, `${run.stdout}\n${run.stderr}`);
      }),
    );
    return outputs;
  }
  function expectNoSecret(outputs: Map<string, string>): void {
    for (const [name, output] of outputs) {
      expect(output, `${name} says why it failed`).to.match(/cannot connect|ECONNREFUSED|refused/i);
      expect(output.includes(PASSWORD) || output.includes(ENCODED), `${name} printed the password:\n${output}`).to.be
        .false;
    }
  }

  it('a password the broker refuses, given in the URL', async () => {
    expectNoSecret(await runAll({ CELERIAC_BROKER: `amqp://guest:${ENCODED}@127.0.0.1:5672//` }));
  });

  it('a password the broker refuses, given alone in --broker-password-file', async () => {
    const env = {
      CELERIAC_BROKER: 'amqp://guest@127.0.0.1:5672//',
      CELERIAC_BROKER_PASSWORD_FILE: join(dir, 'password'),
    };
    expectNoSecret(await runAll(env));
  });

  it('a broker that does not answer', async () => {
    expectNoSecret(await runAll({ CELERIAC_BROKER: `amqp://guest:${ENCODED}@127.0.0.1:1//` }));
  });

  it('a MongoDB result backend that does not answer, with a password in its URL', async () => {
    const backend = `mongodb://app:${ENCODED}@127.0.0.1:1/results?serverSelectionTimeoutMS=1000`;
    const run = await SpawnedCli.run(
      ['call', 'secrets.task', '--queue', 'secrets.none', '--wait', '--timeout', '5', '--log-level', 'debug'],
      { CELERIAC_RESULT_BACKEND: backend },
    );
    const output = `${run.stdout}\n${run.stderr}`;
    expect(run.code).to.equal(1);
    expect(output).to.match(/ECONNREFUSED|Server selection timed out|connect/i);
    expect(output.includes(PASSWORD) || output.includes(ENCODED), `printed the password:\n${output}`).to.be.false;
  });
});
