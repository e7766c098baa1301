/**
 * The options every command takes for reaching services securely: TLS to the broker, and
 * secrets read from files (as Docker and Kubernetes mount them) instead of command lines that
 * `ps` shows. Error lines name the option and the file, never a secret.
 */
import type { Options } from 'yargs';
import { secretFromFile, type BrokerTlsOptions } from '@celeriac/amqp';
import { ConfigurationError } from '@celeriac/core';
import { UsageError } from './errors.js';
import type { Settings } from './settings.js';

const file = (describe: string): Options => ({ type: 'string', requiresArg: true, describe });

export const SECURITY_OPTIONS: Record<string, Options> = {
  'broker-file': file('File holding the broker URL(s) (a mounted secret); instead of --broker'),
  'broker-password-file': file('File holding the broker password; it replaces the password in every broker URL'),
  'result-backend-file': file('File holding the result backend URL (a mounted secret); instead of --result-backend'),
  'broker-ca': file("PEM file of the CA that signed the broker's certificate (amqps://)"),
  'broker-cert': file('PEM file of the client certificate, for a broker that asks for one'),
  'broker-key': file("PEM file of the client certificate's key"),
  'broker-key-passphrase-file': file("File holding the client key's passphrase"),
  'broker-server-name': {
    type: 'string',
    requiresArg: true,
    describe: "Name the broker's certificate must carry when the URL's host is another (an IP address)",
  },
  declare: {
    type: 'boolean',
    describe:
      'Declare the queues and exchanges used; --no-declare only checks them (a user without configure rights, after "celeriac topology apply")',
    defaultDescription: 'declare, unless a probe at connect finds the user may not',
  },
  'broker-insecure-skip-verify': {
    type: 'boolean',
    describe: 'Accept any broker certificate (test benches only; logged as an error at every connect)',
  },
};

/** The broker TLS options, or undefined when none is given. */
export function brokerTls(settings: Settings): BrokerTlsOptions | undefined {
  const tls: BrokerTlsOptions = {
    caFile: settings.string('brokerCa'),
    certFile: settings.string('brokerCert'),
    keyFile: settings.string('brokerKey'),
    keyPassphraseFile: settings.string('brokerKeyPassphraseFile'),
    serverName: settings.string('brokerServerName'),
    insecureSkipVerify: settings.boolean('brokerInsecureSkipVerify'),
  };
  const given = Object.fromEntries(Object.entries(tls).filter(([, value]) => value !== undefined));
  return Object.keys(given).length === 0 ? undefined : given;
}

/** `--broker` or `--broker-file` (not both), with `--broker-password-file` applied. */
export function brokerValue(settings: Settings): unknown {
  const fromFile = fileSetting(settings, 'brokerFile', 'broker', 'broker URL file');
  const value = fromFile === undefined ? settings.raw('broker') : fromFile.split(/\r?\n/).filter(Boolean).join(';');
  const password = asUsage(() => secretFromFile(settings.string('brokerPasswordFile'), 'broker password file'));
  if (password === undefined || value === undefined) return value;
  const urls = Array.isArray(value) ? value.map(String) : typeof value === 'string' ? value.split(';') : null;
  // Not a list of URLs: left to the broker URL check, which says what is wrong with it.
  return urls === null ? value : urls.map((url) => withPassword(url, password)).join(';');
}

/** `--result-backend` or `--result-backend-file` (not both). */
export function resultBackendValue(settings: Settings): string | undefined {
  return (
    fileSetting(settings, 'resultBackendFile', 'resultBackend', 'result backend URL file') ??
    settings.string('resultBackend')
  );
}

function fileSetting(settings: Settings, name: string, instead: string, what: string): string | undefined {
  const path = settings.string(name);
  if (path === undefined) return undefined;
  if (settings.origin(instead)?.startsWith('default') === false)
    throw new UsageError(`give ${settings.origin(name)} or ${settings.origin(instead)}, not both`);
  return asUsage(() => secretFromFile(path, what))?.trim();
}

function withPassword(url: string, password: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url.trim());
  } catch {
    throw new UsageError('a broker URL is not a URL, so the password from --broker-password-file cannot go in it');
  }
  if (parsed.username === '')
    throw new UsageError('--broker-password-file needs a user name in the broker URL (amqp://user@host/vhost)');
  parsed.password = encodeURIComponent(password);
  return parsed.toString();
}

/** A file that cannot be read is the user's to fix: a usage error naming it. */
function asUsage<T>(read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (error instanceof ConfigurationError) throw new UsageError(error.message);
    throw error;
  }
}
