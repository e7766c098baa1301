/**
 * Which crews cover which site. A fixed roster keeps the example deterministic: the same order
 * always goes to the same crew, and orders for `depot-7` (no crew) always fail.
 */
import type { Priority } from './contracts.js';

export const CREW_ROSTER: Readonly<Record<string, readonly string[]>> = {
  'north-yard': ['crew-amber', 'crew-birch'],
  harbour: ['crew-cedar'],
  'substation-12': ['crew-dune', 'crew-elm', 'crew-fern'],
  'depot-7': [],
};

export const RESPONSE_HOURS: Readonly<Record<Priority, number>> = { urgent: 4, normal: 24, low: 72 };

/** Thrown when no crew covers an order's site; a Python caller sees exc_type 'NoCrewAvailable'. */
export class NoCrewAvailable extends Error {
  override readonly name = 'NoCrewAvailable';
  constructor(readonly siteId: string) {
    super(`no crew covers site ${siteId}`);
  }
}

export function crewsFor(siteId: string): readonly string[] {
  return CREW_ROSTER[siteId] ?? [];
}

/** Urgent orders go to the site's lead crew; others are spread by a stable hash of the order id. */
export function pickCrew(siteId: string, orderId: string, priority: Priority): string {
  const crews = crewsFor(siteId);
  const index = priority === 'urgent' ? 0 : stableHash(orderId) % crews.length;
  const crew = crews[index];
  if (crew === undefined) throw new NoCrewAvailable(siteId);
  return crew;
}

/** FNV-1a, then a final mix so that ids differing in one digit still land on different crews. */
function stableHash(text: string): number {
  let hash = 0x811c9dc5;
  for (const char of text) hash = Math.imul(hash ^ char.charCodeAt(0), 0x01000193);
  hash = Math.imul(hash ^ (hash >>> 16), 0x45d9f3b);
  return (hash ^ (hash >>> 16)) >>> 0;
}
