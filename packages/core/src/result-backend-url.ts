import { ConfigurationError } from './errors.js';

/** The result backends a URL can name. `null` means results are not reported at all. */
export type ResultBackendKind = 'rpc' | 'mongodb' | null;

export const DEFAULT_RESULT_BACKEND = 'rpc://';

export function resultBackendKind(url: string | null | undefined): ResultBackendKind {
  if (url === undefined) return 'rpc';
  if (url === null || url === '' || url === 'disabled') return null;
  if (url === 'rpc://' || url === 'rpc') return 'rpc';
  if (isMongoUrl(url)) return 'mongodb';
  throw new ConfigurationError(
    `unsupported result backend "${String(url).split(':')[0]}": use rpc://, mongodb://… or disabled`,
  );
}

/** mongodb:// and mongodb+srv:// (DNS seed list) name a MongoDB deployment. */
export function isMongoUrl(url: unknown): url is string {
  return typeof url === 'string' && /^mongodb(\+srv)?:\/\//i.test(url);
}
