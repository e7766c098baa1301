/**
 * A RabbitMQ node of a test's own with only a TLS listener, requiring client certificates
 * (`verify_peer`, `fail_if_no_peer_cert`), with a CA and certificates made with openssl.
 */
import type { BrokerTlsOptions } from '@celeriac/amqp';
import { PrivateBroker } from './private-broker.js';
import { TlsCerts } from './tls-certs.js';

export interface TlsNode {
  broker: PrivateBroker;
  certs: TlsCerts;
  /** The CA, a client certificate and its key with the passphrase in a file: what connects. */
  trusted: () => BrokerTlsOptions;
}

export async function startTlsNode(port: number, name: string): Promise<TlsNode> {
  const certs = await TlsCerts.create();
  const broker = await PrivateBroker.start(port, {
    name,
    url: `amqps://guest:guest@localhost:${port}//`,
    listeners: [
      'listeners.tcp = none',
      `listeners.ssl.default = 127.0.0.1:${port}`,
      `ssl_options.cacertfile = ${certs.path('ca.pem')}`,
      `ssl_options.certfile = ${certs.path('server.pem')}`,
      `ssl_options.keyfile = ${certs.path('server.key')}`,
      'ssl_options.verify = verify_peer',
      'ssl_options.fail_if_no_peer_cert = true',
    ],
  });
  const trusted = (): BrokerTlsOptions => ({
    caFile: certs.path('ca.pem'),
    certFile: certs.path('client.pem'),
    keyFile: certs.path('client.key'),
    keyPassphraseFile: certs.path('passphrase'),
  });
  return { broker, certs, trusted };
}

/** The CLI flags that give `trusted()`, as a user types them; another CA file for the refusals. */
export function trustedFlags(certs: TlsCerts, ca = 'ca.pem'): string[] {
  return [
    ['--broker-ca', certs.path(ca)],
    ['--broker-cert', certs.path('client.pem')],
    ['--broker-key', certs.path('client.key')],
    ['--broker-key-passphrase-file', certs.path('passphrase')],
  ].flat();
}

/** Stops and removes the node, then its certificates. */
export async function destroyTlsNode(node: TlsNode | undefined): Promise<void> {
  await node?.broker.destroy();
  await node?.certs.remove();
}
