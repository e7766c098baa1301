import { MongoServerError } from 'mongodb';

/** E11000: a unique index (here `_id`) already holds the key. */
export const DUPLICATE_KEY = 11000;
/** createIndex on a key pattern that already has an index with other options (e.g. another expiry). */
export const INDEX_CONFLICT_CODES: ReadonlySet<number> = new Set([85, 86]);

export function isDuplicateKey(error: unknown): boolean {
  return error instanceof MongoServerError && error.code === DUPLICATE_KEY;
}

export function isIndexConflict(error: unknown): boolean {
  return error instanceof MongoServerError && typeof error.code === 'number' && INDEX_CONFLICT_CODES.has(error.code);
}

/** A server's answer (permissions, options) will not change by retrying; a network error may. */
export function isServerAnswer(error: unknown): boolean {
  return error instanceof MongoServerError;
}
