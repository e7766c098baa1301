import { ConfigurationError } from './errors.js';

/** The broker every component uses when none is configured, as in DESIGN §3. */
export const DEFAULT_BROKER_URL = 'amqp://guest:guest@localhost:5672//';

/** A URL safe to log: the password is replaced, so secrets never reach a log line. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return url.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@');
  }
}

/** True for an `amqp://` or `amqps://` URL with a host: the one rule every component applies. */
export function isBrokerUrl(url: unknown): url is string {
  return typeof url === 'string' && /^amqps?:\/\/[^/]/.test(url);
}

/** The URL, or a ConfigurationError that does not echo it (it may hold the broker password). */
export function checkBrokerUrl(url: unknown, field = 'brokerUrl'): string {
  if (isBrokerUrl(url)) return url;
  throw new ConfigurationError(`${field} must be an amqp:// or amqps:// URL`);
}
