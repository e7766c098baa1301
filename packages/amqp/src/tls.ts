/**
 * TLS to RabbitMQ (`amqps://`): a private CA, a client certificate and key (with passphrase), a
 * server name other than the URL's host. Files are read when a connection is opened, so a
 * rotated certificate is picked up by the next connection. Peer verification is on unless
 * `insecureSkipVerify` turns it off, which is logged as an error at every connect.
 */
import { readFileSync } from 'node:fs';
import { ConfigurationError } from '@celeriac/core';

export interface BrokerTlsOptions {
  /** PEM file of the CA(s) that signed the broker's certificate; Node's bundled CAs when absent. */
  caFile?: string;
  /** PEM file of this client's certificate, for a broker that asks for one (`fail_if_no_peer_cert`). */
  certFile?: string;
  /** PEM file of the client certificate's private key. */
  keyFile?: string;
  /** The key's passphrase. Prefer `keyPassphraseFile`: an option value may end up in a process listing. */
  keyPassphrase?: string;
  /** A file holding the key's passphrase (trailing newline ignored), as orchestrators mount secrets. */
  keyPassphraseFile?: string;
  /** The name the broker's certificate must carry, when the URL's host is another (an IP, a load balancer). */
  serverName?: string;
  /** Accept any certificate. Only for a test bench: anyone on the path can read and change the traffic. */
  insecureSkipVerify?: boolean;
}

/** What Node's `tls.connect` takes, read from the files. */
export interface TlsSocketOptions {
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
  passphrase?: string;
  servername?: string;
  rejectUnauthorized: boolean;
}

/** Reads the files named by `options`; one clear line per file that cannot be read. */
export function tlsSocketOptions(options: BrokerTlsOptions): TlsSocketOptions {
  const { caFile, certFile, keyFile, serverName, insecureSkipVerify = false } = options;
  if ((certFile === undefined) !== (keyFile === undefined))
    throw new ConfigurationError('a client certificate needs both certFile and keyFile');
  const passphrase = options.keyPassphrase ?? secretFromFile(options.keyPassphraseFile, 'key passphrase file');
  return {
    ...(caFile === undefined ? {} : { ca: readPem(caFile, 'CA file') }),
    ...(certFile === undefined ? {} : { cert: readPem(certFile, 'certificate file') }),
    ...(keyFile === undefined ? {} : { key: readPem(keyFile, 'key file') }),
    ...(passphrase === undefined ? {} : { passphrase }),
    ...(serverName === undefined ? {} : { servername: serverName }),
    rejectUnauthorized: !insecureSkipVerify,
  };
}

/** Stage 3 of the option: the files are read once here, so a missing one stops the start with one line. */
export function checkBrokerTls(options: BrokerTlsOptions | undefined): BrokerTlsOptions | null {
  if (options === undefined) return null;
  if (typeof options !== 'object' || options === null) throw new ConfigurationError('brokerTls must be an object');
  tlsSocketOptions(options);
  return options;
}

/** A secret held in a file (a Docker or Kubernetes secret): its text without the trailing newline. */
export function secretFromFile(path: string | undefined, what: string): string | undefined {
  if (path === undefined) return undefined;
  return readText(path, what).replace(/\r?\n$/, '');
}

function readPem(path: string, what: string): Buffer {
  return Buffer.from(readText(path, `broker TLS ${what}`));
}

function readText(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new ConfigurationError(`cannot read the ${what} ${path}: ${reason}`, { cause: error });
  }
}

const UNTRUSTED = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_GET_ISSUER_CERT',
  'CERT_UNTRUSTED',
]);

/** What to change, for a TLS failure a user can fix; null for other connection errors. */
export function tlsHint(error: unknown): string | null {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return null;
  if (UNTRUSTED.has(code))
    return "the broker's certificate is not signed by a CA this client trusts: give the CA's PEM file (caFile, --broker-ca, CELERIAC_BROKER_CA)";
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID')
    return "the broker's certificate does not name the host in the URL: connect by a name it carries, or set serverName (--broker-server-name)";
  if (code === 'CERT_HAS_EXPIRED') return "the broker's certificate has expired";
  if (code === 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED')
    return 'the broker asks for a client certificate: give certFile and keyFile (--broker-cert, --broker-key)';
  if (code === 'ERR_SSL_WRONG_VERSION_NUMBER')
    return "the broker's port answered without TLS (amqps:// to a plain AMQP port?): use the port of its TLS listener (5671 by default), or amqp:// for this one";
  if (code === 'ERR_SSL_TLSV1_ALERT_UNKNOWN_CA' || code === 'ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE')
    return "the broker refused this client's certificate: it is not signed by a CA the broker trusts";
  return null;
}
