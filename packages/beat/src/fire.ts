/**
 * Fires the due slots of one schedule.
 *
 * Order per slot: publish (resolved only when the broker confirmed it), THEN record the slot in
 * the store. A crash between the two leaves the slot unrecorded, so the next start fires it
 * again with the SAME task id (slotTaskId is a UUIDv5 of name + slot): a recognisable duplicate,
 * never a lost fire. The opposite order could record a slot whose task never reached the broker.
 *
 * recordFire returning false means another beat recorded the slot first (two leaders for a
 * moment, e.g. a partition before the broker dropped the old leader), or the schedule is no
 * longer stored; the caller reloads the schedule from the store instead of counting the slot
 * as its own, and says which it was (fire-settle.ts).
 */
import {
  InvalidArgumentError,
  SerialisedCanvas,
  canvasOfSchedule,
  errorMeta,
  isoString,
  type AnyCanvas,
  slotTaskId,
  updateEntry,
  type Logger,
  type ScheduleEntry,
  type ScheduleStore,
} from '@celeriac/core';
import type { CanvasSendOptions, SendOptions } from '@celeriac/client';
import type { Signature } from '@celeriac/protocol';
import type { EmitBeatEvent } from './beat-events.js';

/** The part of a Client beat needs; a fake in unit tests. */
export interface TaskSender {
  sendTask(
    name: string,
    args: readonly unknown[],
    kwargs: Record<string, unknown>,
    options: SendOptions,
  ): Promise<unknown>;
  /** Sends a schedule whose task is a chain or a group. */
  send(canvas: AnyCanvas, options: CanvasSendOptions): Promise<unknown>;
}

export interface FireDeps {
  sender: TaskSender;
  store: ScheduleStore;
  logger: Logger;
  emit: EmitBeatEvent;
  clock: () => number;
  /** False once this beat must stop firing (it lost the lock): no further slot is sent. @default always true */
  active?: () => boolean;
  /** While a burst is still being handed out, resolves when it is: records wait for it (burst.ts). @default null */
  handedOff?: () => Promise<void> | null;
}

/**
 * How a fire ended: `fired` (every slot sent and recorded; `entry` carries the new state),
 * `retry` (a publish or a record failed; slots before it are recorded), `taken` (the store refused
 * a slot's record: another beat's, or the schedule is gone), `invalid` (the schedule cannot be sent as stored; skip it until edited).
 */
export type FireOutcome =
  | { kind: 'fired'; entry: ScheduleEntry }
  | { kind: 'retry'; entry: ScheduleEntry }
  | { kind: 'taken'; slot: Date; taskId: string }
  | { kind: 'invalid'; entry: ScheduleEntry };

export async function fireSlots(entry: ScheduleEntry, slots: readonly Date[], deps: FireDeps): Promise<FireOutcome> {
  let current = entry;
  // An index, not for-of: a fire waiting for its record kept the iterator alive (25,000 in a burst).
  for (let index = 0; index < slots.length; index++) {
    const slot = slots[index] as Date;
    if (deps.active && !deps.active()) return { kind: 'retry', entry: current };
    // One SHA-1 per fire, not one per use: it was a sixth of beat's own work per fire.
    const taskId = slotTaskId(entry.name, slot);
    const sent = await publish(current, slot, taskId, deps);
    if (sent !== 'sent') return { kind: sent, entry: current };
    const handedOff = deps.handedOff?.();
    if (handedOff) await handedOff;
    const recorded = await record(entry.name, slot, deps);
    if (recorded === 'failed') return { kind: 'retry', entry: current };
    if (!recorded) return taken(slot, taskId);
    current = updateEntry(current, { lastSlot: isoString(slot), runCount: current.runCount + 1 });
    deps.emit('schedule:fired', { name: entry.name, slot, taskId, lateMs: deps.clock() - slot.getTime() });
  }
  return { kind: 'fired', entry: current.schedule.kind === 'once' ? await disableIfOnce(current, deps) : current };
}

async function publish(
  entry: ScheduleEntry,
  slot: Date,
  taskId: string,
  deps: FireDeps,
): Promise<'sent' | 'retry' | 'invalid'> {
  try {
    const canvas = canvasOfSchedule(entry.task, entry.kwargs);
    if (canvas) await deps.sender.send(withSlotId(canvas, taskId), canvasOptions(entry));
    else await deps.sender.sendTask(entry.task, entry.args, entry.kwargs, sendOptions(entry, slot, taskId));
    return 'sent';
  } catch (error) {
    const meta = { schedule: entry.name, slot: slot.toISOString(), taskId, ...errorMeta(error) };
    if (!(error instanceof InvalidArgumentError)) {
      deps.logger.log('warn', 'fire not confirmed by the broker; retrying', meta);
      return 'retry';
    }
    deps.logger.log('error', 'schedule cannot be sent as stored; skipped until edited', meta);
    deps.emit('schedule:error', { name: entry.name, error });
    return 'invalid';
  }
}

/** `expires` counts from the slot, not from the send: a late catch-up fire expires on time. */
export function sendOptions(entry: ScheduleEntry, slot: Date, taskId: string): SendOptions {
  const { queue, priority, expires } = entry.options;
  return {
    taskId,
    ...(queue === undefined ? {} : { queue }),
    ...(priority === undefined ? {} : { priority }),
    ...(expires === undefined ? {} : { expires: new Date(slot.getTime() + expires * 1000) }),
  };
}

/**
 * A canvas fire carries the slot's id too, so a duplicate fire is recognisable: a chain's first
 * task has it, a group is it.
 */
function withSlotId(canvas: SerialisedCanvas, taskId: string): SerialisedCanvas {
  const sig = canvas.signature;
  const tasks = sig.kwargs.tasks as Signature[];
  const [first, ...rest] = tasks;
  if (sig.subtask_type === 'group' || !first)
    return new SerialisedCanvas({ ...sig, options: { ...sig.options, task_id: taskId } });
  const head = { ...first, options: { ...first.options, task_id: taskId } };
  return new SerialisedCanvas({ ...sig, kwargs: { ...sig.kwargs, tasks: [head, ...rest] } });
}

function canvasOptions(entry: ScheduleEntry): CanvasSendOptions {
  return entry.options.queue === undefined ? {} : { queue: entry.options.queue };
}

/** A store that fails to record is retried like a failed publish: the slot goes out again with its id. */
async function record(name: string, slot: Date, deps: FireDeps): Promise<boolean | 'failed'> {
  try {
    return await deps.store.recordFire(name, slot);
  } catch (error) {
    deps.logger.log('error', 'fire sent but not recorded (store failed); it will be sent again with the same task id', {
      schedule: name,
      slot: slot.toISOString(),
      ...errorMeta(error),
    });
    return 'failed';
  }
}

/** Logged by the settler once it has read the store again: the slot may be another beat's, or the schedule gone. */
function taken(slot: Date, taskId: string): FireOutcome {
  return { kind: 'taken', slot, taskId };
}

/** A one-off schedule is done once it fired: disabled, so it stays listed with its run count. */
async function disableIfOnce(entry: ScheduleEntry, deps: FireDeps): Promise<ScheduleEntry> {
  if (!entry.enabled || entry.runCount === 0) return entry;
  try {
    return (await deps.store.setEnabled(entry.name, false)) ?? updateEntry(entry, { enabled: false });
  } catch (error) {
    deps.logger.log('error', 'could not disable a one-off schedule after it fired', {
      schedule: entry.name,
      ...errorMeta(error),
    });
    return updateEntry(entry, { enabled: false });
  }
}
