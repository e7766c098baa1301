import { ConfigurationError } from './errors.js';

/** The result backends a URL can name. `null` means results are not reported at all. */
export type ResultBackendKind = 'rpc' | null;

export const DEFAULT_RESULT_BACKEND = 'rpc://';

export function resultBackendKind(url: string | null | undefined): ResultBackendKind {
  if (url === undefined) return 'rpc';
  if (url === null || url === '' || url === 'disabled') return null;
  if (url === 'rpc://' || url === 'rpc') return 'rpc';
  throw new ConfigurationError(`unsupported result backend "${url.split(':')[0]}": use rpc:// or disabled`);
}
