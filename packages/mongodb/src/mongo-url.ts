/**
 * What Celeriac reads from a MongoDB connection string itself: the database, from the path, as
 * Celery's mongodb backend does. Everything else (hosts, credentials, options) is the driver's.
 */
import { ConfigurationError, isMongoUrl, redactUrl } from '@celeriac/core';

/** Celery's default database for results. */
export const DEFAULT_RESULT_DATABASE = 'celery';

/** The database named by the URL's path, or `fallback` when the path is empty. */
export function databaseName(url: string, fallback: string): string {
  if (!isMongoUrl(url))
    throw new ConfigurationError(`expected a mongodb:// or mongodb+srv:// URL, got '${redactUrl(String(url))}'`);
  const path = afterHosts(url.slice(url.indexOf('://') + 3));
  const name = decodeURIComponent(path.split('?')[0] ?? '');
  if (name === '') return fallback;
  // MongoDB's rule for database names: these characters are not allowed.
  if (/[/\\. "$\0]/.test(name)) throw new ConfigurationError(`invalid MongoDB database name '${name}' in the URL`);
  return name;
}

/** The path after the host list. Credentials cannot hold a raw '/' or '?' (the URI spec makes them percent-encode it). */
function afterHosts(rest: string): string {
  const end = rest.search(/[/?]/);
  return end !== -1 && rest[end] === '/' ? rest.slice(end + 1) : '';
}
