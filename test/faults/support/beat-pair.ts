/**
 * `celeriac beat` processes on the private node sharing one schedule store file (a hot standby),
 * firing `faults.work` on an interval schedule so that a ledger worker records every fire. Each
 * fire's task id is slotTaskId(schedule, slot), so the ledger alone tells which slot ran, and how
 * often.
 */
import { slotTaskId, type ScheduleInput } from '@celeriac/core';
import type { BeatDir } from '../../support/beat-harness.js';
import { SpawnedCli } from '../../support/spawned-cli.js';
import { work } from '../fixtures/ledger-tasks.js';
import { faultBroker } from './global-broker.js';

/** How a beat names its connections: `<prefix>:lock` (leader lock, control) and `<prefix>:send:publish` (fires). */
export const BEAT_CONNECTION_PREFIX = 'celeriac-beat';
export const LEADING = 'beat leading';
export const STANDBY = 'standby: another beat holds the leader lock';
export const NOT_LEADER = 'beat is no longer the leader';
export const FIRED = 'schedule fired';

/** An interval schedule of `faults.work(0)` on `queue`; `all` fires every missed slot, so none may go missing. */
export function intervalWork(name: string, queue: string, anchor: number, everyMs: number): ScheduleInput {
  const schedule = { kind: 'interval', everyMs, anchor: new Date(anchor).toISOString() } as const;
  return { name, task: work.name, args: [0], schedule, options: { queue }, missedRuns: 'all' };
}

/** A beat on `dir`'s store, resolved once it leads or stands by (debug logs: the standby line is one). */
export async function startBeat(
  dir: BeatDir,
  scheduleFile: string,
  expect: 'leading' | 'standby',
): Promise<SpawnedCli> {
  const args = ['beat', '--store', dir.storeUrl, '--schedule', scheduleFile, '--log-level', 'debug'];
  const beat = SpawnedCli.start(args, { CELERIAC_BROKER: faultBroker().url });
  const message = expect === 'leading' ? LEADING : STANDBY;
  await beat
    .waitForLog((line) => line.message === message)
    .catch(async (error: unknown) => {
      await beat.stop();
      throw error;
    });
  return beat;
}

/** When `beat` logged `message`, each time (winston's timestamp), in ms. */
export function loggedTimes(beat: SpawnedCli, message: string): number[] {
  return beat
    .logs()
    .filter((line) => line.message === message)
    .map((line) => Date.parse(String(line.timestamp)));
}

/** Task ids the beats report fired: confirmed by the broker, then recorded in the store. */
export function firedIds(beats: readonly SpawnedCli[]): string[] {
  return beats.flatMap((beat) =>
    beat
      .logs()
      .filter((line) => line.message === FIRED)
      .map((line) => String(line.taskId)),
  );
}

/** How late each fire went out after its slot, in ms. */
export function lateness(beats: readonly SpawnedCli[]): number[] {
  return beats.flatMap((beat) =>
    beat
      .logs()
      .filter((line) => line.message === FIRED)
      .map((line) => Number(line.lateMs)),
  );
}

/** The slots of one interval schedule and their task ids. */
export class SlotGrid {
  constructor(
    readonly name: string,
    readonly anchor: number,
    readonly everyMs: number,
  ) {}

  /** The task ids of every slot from the anchor through `last`, in order. */
  idsThrough(last: number): string[] {
    const ids: string[] = [];
    for (let slot = this.anchor; slot <= last; slot += this.everyMs) ids.push(slotTaskId(this.name, new Date(slot)));
    return ids;
  }

  /** Slot number (0 = the anchor) of each id, looking up to `until`; -1 for an id that is no slot. */
  indexOf(ids: readonly string[], until: number): number[] {
    const grid = this.idsThrough(until);
    return ids.map((id) => grid.indexOf(id));
  }

  /** The middle of the first period that starts at or after `after`: as far from two fires as can be. */
  midSlotAfter(after: number): number {
    const periods = Math.ceil((after - this.anchor) / this.everyMs);
    return this.anchor + Math.max(0, periods) * this.everyMs + this.everyMs / 2;
  }
}
