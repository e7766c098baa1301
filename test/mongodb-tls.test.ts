/**
 * TLS to MongoDB (issue 18, item 2) through the driver's standard URL options, against FerretDB
 * started with a TLS-only listener that asks for client certificates: a worker stores a result
 * and a client reads it with `tls=true&tlsCAFile=…&tlsCertificateKeyFile=…`; a URL naming a CA
 * that did not sign the server's certificate is refused with the driver's reason, no password.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { expect } from 'chai';
import { Client } from '@celeriac/client';
import { defineTask } from '@celeriac/core';
import { TaskRegistry, Worker } from '@celeriac/worker';
import { BROKER_URL, deleteQueues, uniqueName } from './support/broker.js';
import { ROOT } from './support/spawned-cli.js';
import { CLIENT_KEY_PASSPHRASE, TlsCerts } from './support/tls-certs.js';

interface Ferret {
  url: string;
  stop(): Promise<void>;
}
interface FerretModule {
  startFerretdb(options: { tls: { certFile: string; keyFile: string; caFile: string } }): Promise<Ferret>;
}

const double = defineTask<[number], number>('mongotls.double');

describe('TLS to MongoDB (FerretDB with a TLS-only listener asking for client certificates)', function () {
  this.timeout(60_000);
  let certs: TlsCerts;
  let ferret: Ferret;
  const queue = uniqueName('mongotls');

  before(async () => {
    certs = await TlsCerts.create();
    // The driver reads the client certificate and its key from one file.
    const both = `${await readFile(certs.path('client.pem'), 'utf8')}${await readFile(certs.path('client.key'), 'utf8')}`;
    await writeFile(certs.path('client-with-key.pem'), both);
    const module = (await import(pathToFileURL(join(ROOT, 'scripts/lib/ferretdb.mjs')).href)) as FerretModule;
    ferret = await module.startFerretdb({
      tls: { certFile: certs.path('server.pem'), keyFile: certs.path('server.key'), caFile: certs.path('ca.pem') },
    });
  });
  after(async () => {
    await ferret?.stop();
    await certs?.remove();
    await deleteQueues(queue);
  });

  const backend = (ca: string) =>
    `mongodb://localhost:${new URL(ferret.url).port}/mongotls?tls=true&tlsCAFile=${certs.path(ca)}` +
    `&tlsCertificateKeyFile=${certs.path('client-with-key.pem')}&tlsCertificateKeyFilePassword=${CLIENT_KEY_PASSPHRASE}`;

  it('stores and reads results over TLS with the URL options tls, tlsCAFile and tlsCertificateKeyFile', async () => {
    const tasks = new TaskRegistry().register(double, (n) => n * 2);
    const worker = new Worker({ brokerUrl: BROKER_URL, tasks, queues: [queue], resultBackend: backend('ca.pem') });
    const client = new Client({ brokerUrl: BROKER_URL, resultBackend: backend('ca.pem') });
    try {
      await worker.start();
      const result = await client.send(double, [21], { queue });
      expect(await result.get({ timeoutMs: 20_000 })).to.equal(42);
    } finally {
      await client.close();
      await worker.stop({ timeoutMs: 2000 });
    }
  });

  it('refuses a server certificate its CA file did not sign', async () => {
    const url = backend('other-ca.pem').replace('/mongotls?', '/mongotls?serverSelectionTimeoutMS=2000&');
    const client = new Client({ brokerUrl: BROKER_URL, resultBackend: url });
    try {
      const error = await (await client.result('no-such-task')).get({ timeoutMs: 10_000 }).then(
        () => null,
        (e: unknown) => e as Error,
      );
      expect(error?.message).to.match(/certificate/i);
      expect(error?.message).not.to.include(CLIENT_KEY_PASSPHRASE);
    } finally {
      await client.close();
    }
  });
});
