/**
 * Mingle's `hello` (reference wave2 §4.4): a starting worker sends its revoked ids, each peer
 * answers `{revoked: {"<id>": [<float ts>, "<id>"]}, clock}`. Python's LimitedSet.update refuses
 * an integer timestamp, so every timestamp written here has a fractional part.
 */

/** One revoked id and when it was revoked (epoch ms). */
export interface RevokedEntry {
  id: string;
  revokedAtMs: number;
}

/**
 * Celery 5.2's LimitedSet stamps with `monotonic()` (seconds since the peer's boot), 5.5+ with
 * `time()`: a stamp before 2001 cannot be a wall-clock time, so that id counts as revoked now.
 */
const EPOCH_FLOOR_S = 978_307_200;

export type HelloRevoked = Record<string, [number, string]>;

/** The `revoked` of a hello request or reply, as Celery's `LimitedSet._data` travels. */
export function encodeHelloRevoked(entries: Iterable<RevokedEntry>): HelloRevoked {
  const revoked: HelloRevoked = {};
  for (const { id, revokedAtMs } of entries) revoked[id] = [floatSeconds(revokedAtMs), id];
  return revoked;
}

/**
 * JSON.stringify writes 1714564801 for a whole number of seconds, which Python reads as an int:
 * a microsecond more keeps it a float without moving the expiry in any way that matters.
 */
function floatSeconds(ms: number): number {
  const seconds = ms / 1000;
  return Number.isInteger(seconds) ? seconds + 1e-6 : seconds;
}

/**
 * Reads a peer's `revoked` as LimitedSet.update accepts it: a dict of timestamps or of
 * `[timestamp, id]`, or a plain list of ids (revoked now). Null when it is none of these.
 */
export function decodeHelloRevoked(value: unknown, nowMs = Date.now()): RevokedEntry[] | null {
  if (value === null || value === undefined) return [];
  if (Array.isArray(value))
    return value.every((id) => typeof id === 'string') ? value.map((id) => ({ id, revokedAtMs: nowMs })) : null;
  if (typeof value !== 'object') return null;
  const entries: RevokedEntry[] = [];
  for (const [id, stamp] of Object.entries(value as Record<string, unknown>)) {
    const seconds = Array.isArray(stamp) ? (stamp[0] as unknown) : stamp;
    if (typeof seconds !== 'number' || !Number.isFinite(seconds)) return null;
    entries.push({ id, revokedAtMs: seconds < EPOCH_FLOOR_S ? nowMs : seconds * 1000 });
  }
  return entries;
}

/** What a worker answers to another worker's hello. */
export interface HelloReply {
  revoked: HelloRevoked;
  clock: number;
}

export function helloReply(entries: Iterable<RevokedEntry>, clock: number): HelloReply {
  return { revoked: encodeHelloRevoked(entries), clock };
}
