/**
 * One schedule's fire, from leaving beat's heap to going back in: its due slots are fired
 * (fire.ts), the state they recorded is kept, and the schedule goes back in the heap where it
 * belongs now. Apart from beat-loop.ts, which keeps the timer and the heap and says when a
 * schedule is due; this says where it goes once its fire has ended.
 */
import { dueSlots, errorMeta, updateEntry, type ScheduleEntry } from '@celeriac/core';
import { fireSlots, type FireDeps, type FireOutcome } from './fire.js';
import type { InFlight } from './in-flight.js';
import type { LoopEntries } from './loop-entries.js';

/** A fire the broker did not confirm is tried again this much later. */
export const FIRE_RETRY_MS = 1000;

/** The part of LoopDeps a fire's settling reads. */
export interface SettleDeps extends Pick<FireDeps, 'store' | 'logger' | 'clock'> {
  /** Delay before a fire the broker did not confirm is tried again. @default FIRE_RETRY_MS */
  retryMs?: number;
}

/** What a fire needs of the loop: its schedules, and its heap and timer to put one back. */
export interface SettleHost {
  readonly entries: LoopEntries;
  readonly inFlight: InFlight;
  /** False once the loop stopped: a fire ending then puts nothing back. */
  running(): boolean;
  /** Puts `name` in the heap at `ms`. */
  placeAt(name: string, ms: number): void;
  /** Puts `entry` in the heap at its first unfired slot, or takes it out if it has none. */
  schedule(entry: ScheduleEntry): void;
  arm(): void;
  /** Reports a schedule whose slots cannot be computed. */
  invalid(name: string, error: unknown): void;
}

export class FireSettler {
  constructor(
    private readonly deps: SettleDeps,
    private readonly host: SettleHost,
  ) {}

  /** Fires the slots of `name` due at `now`, then settles it; `fireDeps` as the loop's current run has them. */
  async run(name: string, now: Date, fireDeps: FireDeps): Promise<void> {
    const entry = this.host.entries.get(name);
    if (!entry) return;
    const plan = this.#due(entry, now);
    if (!plan) return;
    const outcome: FireOutcome =
      plan.fire.length === 0 ? { kind: 'fired', entry } : await fireSlots(entry, plan.fire, fireDeps);
    const latest = outcome.kind === 'taken' ? await this.#reload(name, outcome) : outcome.entry;
    this.host.inFlight.end(name);
    if (this.host.running()) this.#settle(entry, outcome.kind, latest, plan.next);
  }

  /** Only the store can throw here (reloading a taken slot): try the schedule again later. */
  retryAfterError(name: string, error: unknown): void {
    this.host.inFlight.end(name);
    this.deps.logger.log('error', 'schedule fire failed; retrying', { schedule: name, ...errorMeta(error) });
    if (!this.host.running() || !this.host.entries.has(name)) return;
    this.host.placeAt(name, this.#retryAt());
    this.host.arm();
  }

  #due(entry: ScheduleEntry, now: Date): { fire: Date[]; next: Date | null } | null {
    try {
      return dueSlots(entry, now);
    } catch (error) {
      this.host.invalid(entry.name, error);
      return null;
    }
  }

  /**
   * The slot's record was refused: another beat recorded it first (its state in the store is the
   * truth), or the schedule is no longer in the store (removed meanwhile, or a merge's write that
   * failed after its listing went out), which the warning then says instead.
   */
  async #reload(name: string, { slot, taskId }: { slot: Date; taskId: string }): Promise<ScheduleEntry | null> {
    const meta = { schedule: name, slot: slot.toISOString(), taskId };
    const fresh = await this.deps.store.get(name).catch((error: unknown) => {
      // Said here: the retry that follows sends the same slot again, and it may be refused again.
      const line = 'slot not recorded (another beat recorded it, or the schedule is gone) and the store cannot be read';
      this.deps.logger.log('warn', line, { ...meta, ...errorMeta(error) });
      throw error;
    });
    const why = fresh
      ? 'slot already recorded by another beat; this fire is a duplicate with the same task id'
      : 'schedule no longer in the store; its fire went out and is not recorded';
    this.deps.logger.log('warn', why, meta);
    if (fresh && this.host.entries.has(name)) this.host.entries.set(fresh);
    return fresh;
  }

  /** Keeps the fire's new state and puts the entry back in the heap where it belongs now. */
  #settle(planned: ScheduleEntry, kind: FireOutcome['kind'], after: ScheduleEntry | null, next: Date | null): void {
    const current = this.host.entries.get(planned.name);
    if (!current || !after) return;
    // An edit that arrived during the fire replaced the entry: its definition wins, the fire's state stays.
    const edited = current !== planned && kind !== 'taken';
    const latest = edited ? withLaterState(current, after) : after;
    this.host.entries.set(latest);
    if (kind === 'invalid') return;
    if (kind === 'retry') this.host.placeAt(latest.name, this.#retryAt());
    else if (edited || kind === 'taken') this.host.schedule(latest);
    else if (next && latest.enabled) this.host.placeAt(latest.name, next.getTime());
    this.host.arm();
  }

  #retryAt(): number {
    return this.deps.clock() + (this.deps.retryMs ?? FIRE_RETRY_MS);
  }
}

/** `current`'s definition with whichever state (lastSlot, runCount) is further along. */
function withLaterState(current: ScheduleEntry, fired: ScheduleEntry): ScheduleEntry {
  const firedLater =
    fired.lastSlot !== null && (current.lastSlot === null || Date.parse(fired.lastSlot) > Date.parse(current.lastSlot));
  return firedLater
    ? updateEntry(current, { lastSlot: fired.lastSlot, runCount: Math.max(current.runCount, fired.runCount) })
    : current;
}
