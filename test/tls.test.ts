/**
 * TLS to RabbitMQ (issue 18, item 1) against a node of the test's own with a TLS-only listener
 * that requires client certificates (`verify_peer`, `fail_if_no_peer_cert`), with a CA and
 * certificates the test makes with openssl: the right CA and a client certificate connect (a
 * task goes through client and worker); an unknown CA, a wrong host name and a missing client
 * certificate are refused with one clear line; the worker reconnects over TLS after the node
 * restarts; the CLI takes the same through flags, CELERIAC_* variables and secrets in files.
 */
import { writeFile } from 'node:fs/promises';
import { expect } from 'chai';
import { type BrokerTlsOptions } from '@celeriac/amqp';
import { Client } from '@celeriac/client';
import { defineTask, type Logger } from '@celeriac/core';
import { TaskRegistry, Worker } from '@celeriac/worker';
import { uniqueName } from './support/broker.js';
import type { PrivateBroker } from './support/private-broker.js';
import { SpawnedCli } from './support/spawned-cli.js';
import type { TlsCerts } from './support/tls-certs.js';
import { destroyTlsNode, startTlsNode, type TlsNode } from './support/tls-node.js';

const PORT = Number(process.env.CELERIAC_TEST_TLS_PORT ?? 5679);
const add = defineTask<[number, number], number>('tls.add');

describe('TLS to RabbitMQ (a TLS-only node requiring client certificates)', function () {
  this.timeout(120_000);
  let node: TlsNode;
  let certs: TlsCerts;
  let broker: PrivateBroker;
  let trusted: () => BrokerTlsOptions;
  const closers: Array<() => Promise<unknown>> = [];
  const url = `amqps://guest:guest@localhost:${PORT}//`;

  before(async () => {
    node = await startTlsNode(PORT, 'celeriac-tls');
    ({ certs, broker, trusted } = node);
  });
  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close().catch(() => undefined);
  });
  after(() => destroyTlsNode(node));

  function client(brokerTls: BrokerTlsOptions, brokerUrl = url): Client {
    const made = new Client({ brokerUrl, brokerTls });
    closers.push(() => made.close());
    return made;
  }
  async function worker(queue: string): Promise<Worker> {
    const tasks = new TaskRegistry().register(add, (a, b) => a + b);
    const started = new Worker({
      brokerUrl: url,
      brokerTls: trusted(),
      tasks,
      queues: [queue],
      nodeName: uniqueName('tls'),
    });
    closers.push(() => started.stop({ timeoutMs: 2000 }));
    await started.start();
    return started;
  }
  async function refusal(brokerTls: BrokerTlsOptions, brokerUrl = url): Promise<string> {
    const error = await client(brokerTls, brokerUrl)
      .send(add, [1, 1], { queue: uniqueName('tls.refused') })
      .then(
        () => null,
        (e: unknown) => e as Error,
      );
    expect(error, 'the send was refused').to.be.instanceOf(Error);
    const message = error?.message ?? '';
    expect(message.split('\n'), `one line: ${message}`).to.have.length(1);
    expect(message, 'no password').not.to.include('guest:guest');
    return message;
  }

  it('connects with the right CA and a client certificate (key with a passphrase): a task goes through', async () => {
    const queue = uniqueName('tls.ok');
    await worker(queue);
    const result = await client(trusted()).send(add, [2, 3], { queue });
    expect(await result.get({ timeoutMs: 10_000 })).to.equal(5);
  });

  it('refuses a broker certificate from an unknown CA with one clear line', async () => {
    const message = await refusal({ ...trusted(), caFile: certs.path('other-ca.pem') });
    expect(message).to.match(/not signed by a CA this client trusts/);
  });

  it('refuses a wrong host name, and connects to it with serverName', async () => {
    const byAddress = `amqps://guest:guest@127.0.0.1:${PORT}//`;
    expect(await refusal(trusted(), byAddress)).to.match(/does not name the host in the URL/);
    const queue = uniqueName('tls.servername');
    await worker(queue);
    const result = await client({ ...trusted(), serverName: 'localhost' }, byAddress).send(add, [4, 5], { queue });
    expect(await result.get({ timeoutMs: 10_000 })).to.equal(9);
  });

  it('is refused by a node that requires a client certificate when it has none', async () => {
    const message = await refusal({ caFile: certs.path('ca.pem') });
    expect(message).to.match(/asks for a client certificate/);
  });

  it('accepts any certificate only with insecureSkipVerify, logged as an error for each connection', async () => {
    const queue = uniqueName('tls.insecure');
    await worker(queue);
    const lines: Array<{ level: string; message: string }> = [];
    const logger: Logger = { log: (level, message) => void lines.push({ level, message }), child: () => logger };
    const insecure = { ...trusted(), caFile: certs.path('other-ca.pem'), insecureSkipVerify: true };
    const sender = new Client({ brokerUrl: url, brokerTls: insecure, logger });
    closers.push(() => sender.close());
    expect(await (await sender.send(add, [1, 1], { queue })).get({ timeoutMs: 10_000 })).to.equal(2);
    const loud = lines.filter((line) => line.level === 'error' && /peer verification is OFF/.test(line.message));
    expect(loud, 'one error line per connection (publish and results)').to.have.length(2);
  });

  it('names a certificate file that cannot be read, before connecting', () => {
    expect(() => new Client({ brokerUrl: url, brokerTls: { ...trusted(), caFile: '/nonexistent/ca.pem' } })).to.throw(
      /cannot read the broker TLS CA file \/nonexistent\/ca.pem: ENOENT/,
    );
  });

  it('reconnects over TLS after the node restarts', async () => {
    const queue = uniqueName('tls.restart');
    await worker(queue);
    const sender = client(trusted());
    expect(await (await sender.send(add, [1, 2], { queue })).get({ timeoutMs: 10_000 })).to.equal(3);
    await broker.stop();
    await broker.boot();
    expect(await (await sender.send(add, [3, 4], { queue })).get({ timeoutMs: 30_000 })).to.equal(7);
  });

  it('takes TLS from CELERIAC_* variables and the broker URL and password from files (the CLI)', async () => {
    const queue = uniqueName('tls.cli');
    await worker(queue);
    const urlFile = certs.path('broker-url');
    const passwordFile = certs.path('broker-password');
    await writeFile(urlFile, `amqps://guest@localhost:${PORT}//\n`);
    await writeFile(passwordFile, 'guest\n');
    const env = {
      CELERIAC_BROKER: undefined,
      CELERIAC_BROKER_FILE: urlFile,
      CELERIAC_BROKER_PASSWORD_FILE: passwordFile,
      CELERIAC_BROKER_CA: certs.path('ca.pem'),
      CELERIAC_BROKER_CERT: certs.path('client.pem'),
      CELERIAC_BROKER_KEY: certs.path('client.key'),
      CELERIAC_BROKER_KEY_PASSPHRASE_FILE: certs.path('passphrase'),
    };
    const called = await SpawnedCli.run(
      ['call', 'tls.add', '--args', '[20, 22]', '--queue', queue, '--wait', '--timeout', '20'],
      env,
    );
    expect(called.code, called.stderr).to.equal(0);
    expect(called.stdout.trim().split('\n')[1]).to.equal('42');
    const both = await SpawnedCli.run(['call', 'tls.add', '--broker', url], env);
    expect(both.code).to.equal(2);
    expect(both.stderr).to.include('not both');
  });
});
