/**
 * Certificates for the TLS tests, made with openssl in a directory of their own: a CA, a server
 * certificate for `localhost` only (no IP address, so 127.0.0.1 is a wrong host name), a client
 * certificate whose key has a passphrase, and a second CA that signed nothing the broker uses.
 * The directory is readable by the rabbitmq user that runs the test broker.
 */
import { execFile } from 'node:child_process';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
export const CLIENT_KEY_PASSPHRASE = 'celeriac-key-passphrase';

export class TlsCerts {
  private constructor(readonly dir: string) {}

  static async create(): Promise<TlsCerts> {
    const certs = new TlsCerts(await mkdtemp(join(tmpdir(), 'celeriac-tls-')));
    await chmod(certs.dir, 0o755);
    await certs.#ca('ca');
    await certs.#ca('other-ca');
    await certs.#signed('server', 'localhost', 'subjectAltName=DNS:localhost\n', null);
    await certs.#signed('client', 'celeriac-client', 'extendedKeyUsage=clientAuth\n', CLIENT_KEY_PASSPHRASE);
    await writeFile(certs.path('passphrase'), `${CLIENT_KEY_PASSPHRASE}\n`);
    for (const name of ['ca.pem', 'server.pem', 'server.key', 'client.pem', 'client.key', 'passphrase'])
      await chmod(certs.path(name), 0o644);
    return certs;
  }

  path(name: string): string {
    return join(this.dir, name);
  }

  async remove(): Promise<void> {
    await rm(this.dir, { recursive: true, force: true });
  }

  async #ca(name: string): Promise<void> {
    await openssl(
      ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', `/CN=Celeriac test ${name}`].concat([
        '-keyout',
        this.path(`${name}.key`),
        '-out',
        this.path(`${name}.pem`),
      ]),
    );
  }

  async #signed(name: string, commonName: string, extensions: string, passphrase: string | null): Promise<void> {
    const key = passphrase === null ? ['-nodes'] : ['-passout', `pass:${passphrase}`];
    await openssl(
      ['req', '-newkey', 'rsa:2048', ...key, '-subj', `/CN=${commonName}`].concat([
        '-keyout',
        this.path(`${name}.key`),
        '-out',
        this.path(`${name}.csr`),
      ]),
    );
    await writeFile(this.path(`${name}.ext`), extensions);
    await openssl(
      [
        'x509',
        '-req',
        '-in',
        this.path(`${name}.csr`),
        '-CA',
        this.path('ca.pem'),
        '-CAkey',
        this.path('ca.key'),
      ].concat([
        '-CAcreateserial',
        '-days',
        '2',
        '-extfile',
        this.path(`${name}.ext`),
        '-out',
        this.path(`${name}.pem`),
      ]),
    );
  }
}

async function openssl(args: string[]): Promise<void> {
  await run('openssl', args, { timeout: 30_000 });
}
