/**
 * No secret where a running deployment shows its settings or state (issue 18, item 3): a worker
 * at debug level whose broker URL (password not the user name) comes from --broker-file, then
 * `celeriac inspect conf` on it, its /metrics, every GET of the dashboard's API, and the crash
 * report Node writes when the worker dies of an uncaught error (--report-uncaught-exception: it
 * holds the environment and the command line). None shows the password; each shows the thing it
 * is checked for, so an empty answer cannot pass.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { Dashboard } from '@celeriac/dashboard';
import { eventually } from './support/broker.js';
import { SEMANTICS_APP, SpawnedCli } from './support/spawned-cli.js';
import { PrivateVhost } from './support/vhost.js';

const PASSWORD = `Pw/${randomUUID().slice(0, 8)}@;x`;
const QUEUE = 'surfaces.tasks';
const API = ['workers', 'queues', 'tasks', 'schedules', 'dead-letters'];

function expectNoPassword(output: string, where: string): void {
  const shown = [PASSWORD, encodeURIComponent(PASSWORD)].filter((form) => output.includes(form));
  expect(shown, `${where} shows the password:\n${output}`).to.deep.equal([]);
}

async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('secrets in a running worker’s conf, metrics, dashboard and crash report', function () {
  this.timeout(120_000);
  const vhost = new PrivateVhost();
  let dir: string;
  let url: string;
  let env: NodeJS.ProcessEnv;
  let worker: SpawnedCli;
  let metricsPort: number;
  const node = `surfaces-${randomUUID().slice(0, 6)}@host`;

  before(async () => {
    await vhost.create();
    url = await vhost.user('app', { configure: '.*', write: '.*', read: '.*' }, PASSWORD);
    dir = await mkdtemp(join(tmpdir(), 'celeriac-surfaces-'));
    await writeFile(join(dir, 'broker'), `${url}\n`);
    // The URL only in the file: the environment and command line (both in a crash report) hold its path.
    env = {
      CELERIAC_BROKER: undefined,
      CELERIAC_BROKER_FILE: join(dir, 'broker'),
      NODE_OPTIONS: `--report-uncaught-exception --report-directory=${dir}`,
    };
    metricsPort = await freePort();
    const args = ['worker', '--app', SEMANTICS_APP, '-Q', QUEUE, '--pool', 'inline', '-n', node, '-E'];
    worker = SpawnedCli.start([...args, '--metrics-port', String(metricsPort), '--log-level', 'debug'], env);
    await worker.waitForLog((line) => line.message === 'worker ready', 30_000);
  });
  after(async () => {
    await worker?.stop();
    await vhost.delete();
    await rm(dir, { recursive: true, force: true });
  });

  it('inspect conf shows the broker URL masked, never the password', async () => {
    const run = await SpawnedCli.run(['inspect', 'conf', '--destination', node, '--log-level', 'debug'], {
      ...env,
      NODE_OPTIONS: undefined,
    });
    expect(run.code, run.stderr).to.equal(0);
    expect(run.stdout).to.match(/broker_url.*:\*{8}@127\.0\.0\.1/);
    expectNoPassword(`${run.stdout}\n${run.stderr}`, 'inspect conf');
  });

  it('/metrics answers with the worker’s metrics, never the password', async () => {
    const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    expect(text).to.match(/^# HELP /m);
    expectNoPassword(text, '/metrics');
  });

  it('every GET of the dashboard API (the dashboard given the URL with the password) shows the worker, never the password', async () => {
    const dashboard = await Dashboard.start({ brokerUrl: url, port: 0 });
    try {
      const workers = await eventually(async () => {
        const text = await (await fetch(`${dashboard.url}api/workers`)).text();
        return text.includes(node) ? text : undefined;
      }, 20_000);
      const answers = await Promise.all(API.map(async (path) => (await fetch(`${dashboard.url}api/${path}`)).text()));
      expectNoPassword([workers, ...answers].join('\n'), 'the dashboard API');
    } finally {
      await dashboard.close();
    }
  });

  it('the worker’s debug log and the crash report of its uncaught error hold no password', async () => {
    const call = await SpawnedCli.run(['call', 'sem.crash-later', '--queue', QUEUE], {
      ...env,
      NODE_OPTIONS: undefined,
    });
    expect(call.code, call.stderr).to.equal(0);
    const { code } = await worker.exited;
    expect(code, 'died of the uncaught error').to.not.equal(0);
    expect(worker.stderr).to.include('thrown outside any task');
    const reports = (await readdir(dir)).filter((name) => name.startsWith('report.') && name.endsWith('.json'));
    expect(reports, 'Node wrote a crash report').to.have.length(1);
    const report = await readFile(join(dir, reports[0] ?? ''), 'utf8');
    expect(report).to.include('thrown outside any task').and.to.include('CELERIAC_BROKER_FILE');
    expectNoPassword(report, 'the crash report');
    expectNoPassword(`${worker.stdout}\n${worker.stderr}`, 'the worker’s output');
  });
});
