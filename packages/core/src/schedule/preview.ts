import { InvalidArgumentError } from '../errors.js';
import { compileSpec, nextSlot } from './spec.js';
import type { ScheduleSpec } from '@celeriac/protocol';

export const MAX_PREVIEW = 1000;

/**
 * The next `count` slots of `spec` strictly after `from` (fewer if it ends, e.g. a `once`), with
 * the same validation as adding a schedule. `from` is also the default interval anchor.
 */
export function previewSlots(spec: ScheduleSpec, from: Date, count: number): Date[] {
  if (!Number.isInteger(count) || count < 1 || count > MAX_PREVIEW) {
    throw new InvalidArgumentError(
      `invalid preview count ${JSON.stringify(count)}: expected an integer from 1 to ${MAX_PREVIEW}`,
    );
  }
  if (!(from instanceof Date) || Number.isNaN(from.getTime()))
    throw new InvalidArgumentError(`invalid preview start ${String(from)}: expected a valid Date`);
  const normalized = compileSpec(spec, from);
  const slots: Date[] = [];
  for (
    let slot = nextSlot(normalized, from);
    slot !== null && slots.length < count;
    slot = nextSlot(normalized, slot)
  ) {
    slots.push(slot);
  }
  return slots;
}
