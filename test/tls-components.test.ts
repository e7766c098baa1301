/**
 * TLS to RabbitMQ for what tls.test.ts leaves out: beat and the dashboard over TLS, every TLS
 * flag of the CLI, the one line the CLI prints for each refusal (unknown CA, wrong host name, no
 * client certificate, amqps:// to a plain AMQP port), and the TLS-failure leg of the leak test:
 * every command at debug level, refused by TLS, with a password that is not the user name.
 */
import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { Beat } from '@celeriac/beat';
import { MemoryScheduleStore, defineTask } from '@celeriac/core';
import { TaskRegistry, Worker } from '@celeriac/worker';
import { eventually, uniqueName } from './support/broker.js';
import { expectNoSecret, runAllFailing } from './support/secret-components.js';
import { SpawnedCli } from './support/spawned-cli.js';
import { destroyTlsNode, startTlsNode, trustedFlags, type TlsNode } from './support/tls-node.js';

const PORT = Number(process.env.CELERIAC_TEST_TLS_COMPONENTS_PORT ?? 5681);
const URL = `amqps://guest:guest@localhost:${PORT}//`;
const add = defineTask<[number, number], number>('tls.add');
const PASSWORD = `Tls/${randomUUID().slice(0, 8)}@x`;

/** Each refusal: the broker URL, the TLS flags beside it, and the cause the one line must name. */
const REFUSALS: Array<[string, (node: TlsNode) => string[], RegExp]> = [
  [
    'an unknown CA',
    ({ certs }) => [URL, ...trustedFlags(certs, 'other-ca.pem')],
    /not signed by a CA this client trusts/,
  ],
  [
    'a wrong host name',
    ({ certs }) => [`amqps://guest:guest@127.0.0.1:${PORT}//`, ...trustedFlags(certs)],
    /does not name the host in the URL/,
  ],
  ['no client certificate', ({ certs }) => [URL, '--broker-ca', certs.path('ca.pem')], /asks for a client certificate/],
  [
    'amqps:// to a plain AMQP port',
    ({ certs }) => ['amqps://guest:guest@localhost:5672//', ...trustedFlags(certs)],
    /answered without TLS \(amqps:\/\/ to a plain AMQP port\?\)/,
  ],
];

describe('TLS for beat, the dashboard and the CLI', function () {
  this.timeout(180_000);
  let node: TlsNode;
  const closers: Array<() => Promise<unknown>> = [];
  const ran: string[] = [];
  const queue = uniqueName('tls.components');
  const nodeName = uniqueName('tls-worker');

  before(async () => {
    node = await startTlsNode(PORT, 'celeriac-tls-components');
    await node.broker.ctl(['add_user', 'leaker', PASSWORD]);
    await node.broker.ctl(['set_permissions', 'leaker', '.*', '.*', '.*']);
    const tasks = new TaskRegistry().register(add, (a, b) => (ran.push(`${a}+${b}`), a + b));
    const worker = new Worker({ brokerUrl: URL, brokerTls: node.trusted(), tasks, queues: [queue], nodeName });
    closers.push(() => worker.stop({ timeoutMs: 2000 }));
    await worker.start();
  });
  after(async () => {
    for (const close of closers.splice(0).reverse()) await close().catch(() => undefined);
    await destroyTlsNode(node);
  });

  it('beat over TLS sends its schedule, which the worker over TLS runs', async () => {
    const schedule = {
      name: 'tls.every-second',
      task: add.name,
      args: [7, 8],
      schedule: { kind: 'interval', everyMs: 1000 } as const,
      options: { queue },
    };
    const beat = new Beat({
      brokerUrl: URL,
      brokerTls: node.trusted(),
      beatGroup: uniqueName('tls'),
      store: new MemoryScheduleStore(),
      schedules: [schedule],
    });
    closers.push(() => beat.stop());
    await beat.start();
    await eventually(() => (ran.includes('7+8') ? true : undefined), 20_000);
  });

  it('the dashboard over TLS (CLI flags, server name for an address) lists the worker over TLS', async () => {
    const flags = [...trustedFlags(node.certs), '--broker-server-name', 'localhost'];
    const dashboard = SpawnedCli.start([
      'dashboard',
      '--port',
      '0',
      '--broker',
      `amqps://guest:guest@127.0.0.1:${PORT}//`,
      ...flags,
    ]);
    closers.push(() => dashboard.stop());
    const listening = await dashboard.waitForLog((line) => line.message === 'dashboard listening', 30_000);
    const base = String((listening as { url?: unknown }).url);
    await eventually(
      async () => ((await (await fetch(`${base}api/workers`)).text()).includes(nodeName) ? true : undefined),
      20_000,
    );
  });

  it('call takes every TLS flag: CA, certificate, key, passphrase file, server name', async () => {
    const flags = [...trustedFlags(node.certs), '--broker-server-name', 'localhost'];
    const args = ['call', add.name, '--args', '[20, 22]', '--queue', queue, '--wait', '--timeout', '20'];
    const called = await SpawnedCli.run([...args, '--broker', `amqps://guest:guest@127.0.0.1:${PORT}//`, ...flags]);
    expect(called.code, called.stderr).to.equal(0);
    expect(called.stdout.trim().split('\n')[1]).to.equal('42');
  });

  it('--broker-insecure-skip-verify accepts an untrusted broker, with an error line', async () => {
    const flags = [...trustedFlags(node.certs, 'other-ca.pem'), '--broker-insecure-skip-verify'];
    const called = await SpawnedCli.run([
      'call',
      add.name,
      '--args',
      '[1, 2]',
      '--queue',
      queue,
      '--broker',
      URL,
      ...flags,
    ]);
    expect(called.code, called.stderr).to.equal(0);
    expect(called.stderr).to.match(/"level":"error".*peer verification is OFF/);
  });

  for (const [label, given, cause] of REFUSALS) {
    it(`prints one line naming the cause for ${label}`, async () => {
      const [broker = '', ...flags] = given(node);
      const run = await SpawnedCli.run([
        'call',
        add.name,
        '--queue',
        uniqueName('tls.refused'),
        '--broker',
        broker,
        ...flags,
      ]);
      expect(run.code).to.equal(1);
      // The log lines are JSON; what the user is told is the rest.
      const told = run.stderr.split('\n').filter((line) => line && !line.startsWith('{'));
      expect(told, run.stderr).to.have.length(1);
      expect(told[0])
        .to.match(/^celeriac: cannot connect to amqps:\/\/guest:\*\*\*@[^ ]+: TLS: /)
        .and.to.match(cause);
    });
  }

  it('leaks no password through a TLS refusal: every command at debug level, user "leaker"', async () => {
    const env = {
      CELERIAC_BROKER: `amqps://leaker:${encodeURIComponent(PASSWORD)}@localhost:${PORT}//`,
      CELERIAC_BROKER_CA: node.certs.path('other-ca.pem'),
      CELERIAC_BROKER_CERT: node.certs.path('client.pem'),
      CELERIAC_BROKER_KEY: node.certs.path('client.key'),
      CELERIAC_BROKER_KEY_PASSPHRASE_FILE: node.certs.path('passphrase'),
    };
    expectNoSecret(
      await runAllFailing(env),
      PASSWORD,
      /TLS: the broker's certificate is not signed by a CA this client trusts/,
    );
  });
});
