/**
 * Task ids revoked by broadcast, remembered for a while, as Celery's worker keeps them in a
 * LimitedSet (50 000 ids, 3 hours): a revoke may arrive before its task does, or while it is
 * waiting in a delay lane. Oldest entries go first when the set is full.
 */
export interface RevokedIdsOptions {
  maxSize: number;
  ttlMs: number;
}

export const DEFAULT_REVOKED_IDS: Readonly<RevokedIdsOptions> = Object.freeze({ maxSize: 50_000, ttlMs: 10_800_000 });

export class RevokedIds {
  /** id → expiry time; a Map keeps insertion order, so the oldest entry is first. */
  readonly #expiries = new Map<string, number>();

  constructor(private readonly options: RevokedIdsOptions = DEFAULT_REVOKED_IDS) {}

  add(id: string, now = Date.now()): void {
    this.#expiries.delete(id);
    this.#expiries.set(id, now + this.options.ttlMs);
    this.#prune(now);
  }

  has(id: string, now = Date.now()): boolean {
    const expiry = this.#expiries.get(id);
    if (expiry === undefined) return false;
    if (expiry > now) return true;
    this.#expiries.delete(id);
    return false;
  }

  /**
   * Takes a peer's revoked id (mingle's hello) with the time it was revoked there, so it expires
   * when it would have; one already expired is dropped.
   */
  merge(id: string, revokedAtMs: number, now = Date.now()): void {
    const expiry = revokedAtMs + this.options.ttlMs;
    if (expiry <= now || (this.#expiries.get(id) ?? 0) >= expiry) return;
    this.#expiries.delete(id);
    this.#expiries.set(id, expiry);
    this.#prune(now);
  }

  /** Each id with the time it was revoked, oldest first, for mingle's hello. */
  entries(now = Date.now()): Array<{ id: string; revokedAtMs: number }> {
    this.#prune(now);
    return [...this.#expiries].map(([id, expiry]) => ({ id, revokedAtMs: expiry - this.options.ttlMs }));
  }

  ids(now = Date.now()): string[] {
    this.#prune(now);
    return [...this.#expiries.keys()];
  }

  #prune(now: number): void {
    for (const [id, expiry] of this.#expiries) {
      if (expiry > now && this.#expiries.size <= this.options.maxSize) return;
      this.#expiries.delete(id);
    }
  }
}
