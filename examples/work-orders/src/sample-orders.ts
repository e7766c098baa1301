import type { Priority, WorkKind, WorkOrder } from './contracts.js';
import { CREW_ROSTER } from './crews.js';

const SITES = Object.keys(CREW_ROSTER);
const KINDS: readonly WorkKind[] = ['inspection', 'repair', 'install'];
const PRIORITIES: readonly Priority[] = ['normal', 'low', 'urgent', 'normal', 'low'];

/**
 * `count` orders spread over every site of the roster, `depot-7` included, so a batch always
 * has orders that fail to dispatch. Deterministic: the same count gives the same orders.
 */
export function sampleOrders(count: number): WorkOrder[] {
  return Array.from({ length: count }, (_, i) => sampleOrder(i));
}

function sampleOrder(i: number): WorkOrder {
  const siteId = pick(SITES, i);
  const kind = pick(KINDS, i);
  const id = `WO-${String(1001 + i)}`;
  return { id, siteId, kind, priority: pick(PRIORITIES, i), description: `${kind} at ${siteId}` };
}

function pick<T>(items: readonly T[], i: number): T {
  const item = items[i % items.length];
  if (item === undefined) throw new RangeError('cannot pick from an empty list');
  return item;
}
