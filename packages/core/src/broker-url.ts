import { ConfigurationError } from './errors.js';

/** The broker every component uses when none is configured, as in DESIGN §3. */
export const DEFAULT_BROKER_URL = 'amqp://guest:guest@localhost:5672//';

/** Celery writes several brokers of one cluster as one string: `amqp://h1;amqp://h2;amqp://h3`. */
export const BROKER_URL_SEPARATOR = ';';

/** One broker URL, a `;`-joined list, or an array: what client, worker and beat options accept. */
export type BrokerUrls = string | readonly string[];

/** A URL (or `;`-joined list) safe to log: each password is replaced, so secrets never reach a log line. */
export function redactUrl(url: string): string {
  return url.split(BROKER_URL_SEPARATOR).map(redactOne).join(BROKER_URL_SEPARATOR);
}

function redactOne(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return maskSecretParams(parsed.toString(), '***');
  } catch {
    return maskSecretParams(url.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@'), '***');
  }
}

/**
 * URL options that carry a secret: MongoDB's tlsCertificateKeyFilePassword, an AWS session token
 * in authMechanismProperties, any *password*, *passphrase*, *secret* or *token* parameter.
 */
const SECRET_PARAM = /([?&](?:[^=&#]*(?:password|passphrase|secret|token)[^=&#]*|authMechanismProperties)=)[^&#]*/gi;

/** The URL with the value of every secret-bearing query parameter replaced by `mask`. */
export function maskSecretParams(url: string, mask: string): string {
  return url.replace(SECRET_PARAM, `$1${mask}`);
}

/** True for one `amqp://` or `amqps://` URL with a host: the rule every element of a list must meet. */
export function isBrokerUrl(url: unknown): url is string {
  return typeof url === 'string' && /^amqps?:\/\/[^/;]/.test(url) && !url.includes(BROKER_URL_SEPARATOR);
}

/** The URLs of a `;`-joined string or an array, in order, blanks around separators trimmed. */
export function splitBrokerUrls(urls: BrokerUrls): string[] {
  const parts = typeof urls === 'string' ? urls.split(BROKER_URL_SEPARATOR) : [...urls];
  return parts.map((part) => part.trim());
}

/**
 * What is wrong with a broker setting (one URL, a `;`-joined list or an array), or null when every
 * URL is valid. Names a bad URL by its position only: the text may hold the broker password.
 */
export function brokerUrlProblem(value: unknown): string | null {
  const isList = Array.isArray(value) && value.every((part) => typeof part === 'string');
  if (typeof value !== 'string' && !isList) return 'must be an amqp:// or amqps:// URL, or a list of them';
  const urls = splitBrokerUrls(value);
  if (urls.length === 0) return 'must list at least one amqp:// or amqps:// URL';
  const bad = urls.findIndex((url) => !isBrokerUrl(url));
  if (bad < 0) return null;
  if (urls.length === 1) return 'must be an amqp:// or amqps:// URL';
  return `(URL ${bad + 1} of ${urls.length}) must be an amqp:// or amqps:// URL`;
}

/**
 * The broker setting as one `;`-joined string (the form Celery writes and every component passes
 * on), or a ConfigurationError that does not echo it (it may hold the broker password).
 */
export function checkBrokerUrl(value: unknown, field = 'brokerUrl'): string {
  const problem = brokerUrlProblem(value);
  if (problem !== null) throw new ConfigurationError(`${field} ${problem}`);
  return splitBrokerUrls(value as BrokerUrls).join(BROKER_URL_SEPARATOR);
}
