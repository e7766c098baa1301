/**
 * The leader's scheduling loop: one timer, armed for the head of a min-heap of next fire times.
 * On waking it pops only the entries that are due (O(log n) each), asks the pure schedule maths
 * which slots to fire (dueSlots, which applies the missed-run policy), fires them, and pushes
 * each entry back at its next slot. Edits move one entry in the heap at once; nothing is polled
 * and nothing scans all entries per tick.
 */
import {
  MAX_TIMER_MS,
  errorMeta,
  firstDueMs,
  type Logger,
  type PlannedEntry,
  type ScheduleEntry,
  type ScheduleStore,
} from '@celeriac/core';
import type { EmitBeatEvent } from './beat-events.js';
import type { FireDeps } from './fire.js';
import { FireSettler } from './fire-settle.js';
import { Burst } from './burst.js';
import { InFlight } from './in-flight.js';
import { LoopEntries } from './loop-entries.js';
import { ScheduleHeap } from './schedule-heap.js';

/** Longer sleeps than core's MAX_TIMER_MS (about 24.8 days) wake early and re-arm. */
export { MAX_TIMER_MS };
// Settling a fire uses it (fire-settle.ts); still exported from here, where index.ts and the benchmarks find it.
export { FIRE_RETRY_MS } from './fire-settle.js';
/**
 * Fires started in one pass of the loop before it yields to the event loop: 25,000 slots due on
 * one second, started in one synchronous pass, held timers and I/O (the leader lock's heartbeats
 * among them) for seconds at 100,000 schedules.
 */
export const WAKE_BATCH = 256;

export interface LoopDeps extends FireDeps {
  store: ScheduleStore;
  logger: Logger;
  emit: EmitBeatEvent;
  toleranceMs: number;
  /** Delay before a fire the broker did not confirm is tried again. @default FIRE_RETRY_MS */
  retryMs?: number;
}

export class BeatLoop {
  #heap = new ScheduleHeap();
  /** Every schedule known to the loop, enabled or not, with its latest state. */
  readonly #entries = new LoopEntries((name, error) => this.#invalid(name, error, 'its stored entry cannot be read'));
  /** Fires under way, by schedule: such an entry is out of the heap until its fire ends. */
  readonly #inFlight = new InFlight();
  #timer: NodeJS.Timeout | null = null;
  /** The rest of a burst, started on the next turn of the event loop (#yieldThenWake). */
  #continuation: NodeJS.Immediate | null = null;
  /** A burst of due fires still being started over several turns (burst.ts). */
  readonly #burst = new Burst();
  #running = false;
  /** Bumped by stop(), so a start() still loading the store when it is stopped does not start after all. */
  #generation = 0;
  /** What fireSlots needs, with `active` bound to the current generation: built once per run(), not per fire. */
  #fireDeps: FireDeps;
  /** A fire from its start to its schedule's return to the heap (fire-settle.ts). */
  readonly #fires: FireSettler;

  constructor(private readonly deps: LoopDeps) {
    this.#fireDeps = this.#fireDepsOf(0);
    this.#fires = new FireSettler(deps, {
      entries: this.#entries,
      inFlight: this.#inFlight,
      running: () => this.#running,
      placeAt: (name, ms) => this.#heap.set(name, ms),
      schedule: (entry) => this.#schedule(entry),
      arm: () => this.#arm(),
      invalid: (name, error) => this.#invalid(name, error),
    });
  }

  /** Loads every schedule from the store, then starts sleeping until the earliest. */
  async start(): Promise<void> {
    if (await this.load()) this.run();
  }

  /**
   * Loads every schedule from the store (once earlier fires have ended) without firing any: a
   * beat becomes leader between load() and run(), so nothing fires before it says it leads.
   * Edits that arrive in between are kept and planned by run(). False: stopped while loading.
   * For a stopped loop (as a Beat calls it): a fire of a running one settling while the store
   * is listed would hold the entry as it was before an edit kept for the listing. `merging`
   * gives the store's listing handed out by a merge still being written (start-merge.ts), asked
   * once earlier fires ended: listing the store would wait for that write.
   */
  async load(merging?: () => readonly PlannedEntry[] | null): Promise<boolean> {
    const generation = ++this.#generation;
    // Restarted (the lock lost and regained) while fires of the last run still wait for their
    // confirm: plan from what they record, or their slots would go out a second time.
    await this.#inFlight.settled();
    // Stopped meanwhile: a stopped loop keeps no edits (they would wait for a load that clears them).
    if (generation !== this.#generation) return false;
    // Only now: an edit kept from before those fires recorded would carry the state it was
    // written with over theirs; one made while they settled is in the store for the list.
    this.#entries.listing();
    const { store } = this.deps;
    const entries = merging?.() ?? (await (store.listPlanned?.() ?? store.list()));
    if (generation !== this.#generation) return false;
    this.#entries.load(entries);
    return true;
  }

  /** Plans the loaded schedules and arms the timer for the earliest. */
  run(): void {
    this.#fireDeps = this.#fireDepsOf(this.#generation);
    this.#heap = ScheduleHeap.from(this.#entries.plan((entry) => this.#firstDue(entry)));
    this.#running = true;
    this.#arm();
  }

  /** Stops firing at once; resolves when fires already sent to the broker have been recorded. */
  async stop(): Promise<void> {
    this.#generation += 1;
    this.#running = false;
    this.#burst.end();
    this.#disarm();
    this.#heap.clear();
    this.#entries.close();
    await this.#inFlight.settled();
  }

  get running(): boolean {
    return this.#running;
  }

  /** Schedules in the heap (enabled, with a future slot). */
  get scheduledCount(): number {
    return this.#heap.size;
  }

  /** When `name` fires next, as the heap has it (undefined: not scheduled, or firing now). */
  nextFireOf(name: string): Date | undefined {
    const next = this.#heap.nextOf(name);
    return next === undefined ? undefined : new Date(next);
  }

  /** A schedule was added or changed in the store: it moves in the heap now. */
  upsert(entry: ScheduleEntry): void {
    this.#entries.set(entry);
    // A fire under way re-plans from the latest entry when it ends.
    if (!this.#running || this.#inFlight.has(entry.name)) return;
    this.#schedule(entry);
    this.#arm();
  }

  /** A schedule was removed from the store. */
  remove(name: string): void {
    this.#entries.delete(name);
    if (this.#heap.remove(name)) this.#arm();
  }

  /** Puts `entry` in the heap at its first unfired slot, or takes it out if it has none. */
  #schedule(entry: ScheduleEntry): void {
    const next = this.#firstDue(entry);
    if (next === null) this.#heap.remove(entry.name);
    else this.#heap.set(entry.name, next);
  }

  /** firstDueMs; a schedule whose slots cannot be computed is reported and left out. */
  #firstDue(entry: ScheduleEntry): number | null {
    try {
      return firstDueMs(entry);
    } catch (error) {
      this.#invalid(entry.name, error);
      return null;
    }
  }

  #arm(): void {
    this.#disarm();
    const head = this.#heap.peek();
    // Nothing of a burst is left to start (its schedules edited away meanwhile): its records go ahead.
    const burstAt = this.#burst.at;
    if (burstAt !== null && (!head || head.next > burstAt + this.deps.toleranceMs)) this.#burst.end();
    if (!this.#running || !head) return;
    const delay = Math.min(Math.max(0, head.next - this.deps.clock()), MAX_TIMER_MS);
    this.#timer = setTimeout(() => this.#wake(), delay);
  }

  #disarm(): void {
    if (this.#timer) clearTimeout(this.#timer);
    if (this.#continuation) clearImmediate(this.#continuation);
    this.#timer = null;
    this.#continuation = null;
  }

  /** Starts what is due; a burst continued after a yield keeps its wake-up's time (burst.ts). */
  #wake(): void {
    this.#timer = null;
    this.#continuation = null;
    const now = this.#burst.at ?? this.deps.clock();
    let started = 0;
    for (let head = this.#heap.peek(); head && head.next <= now + this.deps.toleranceMs; head = this.#heap.peek()) {
      if (started++ === WAKE_BATCH) return this.#yieldThenWake(now);
      this.#heap.pop();
      this.#start(head.name, new Date(Math.max(now, head.next)));
    }
    this.#burst.end();
    this.#arm();
  }

  /**
   * More is due: the rest starts on the next turn of the event loop, after its timers and I/O.
   * setImmediate, not setTimeout(0): a timer waits at least 1 ms, 100 ms idle in a burst of 25,000.
   */
  #yieldThenWake(burstAt: number): void {
    this.#disarm();
    this.#burst.continues(burstAt);
    this.#continuation = setImmediate(() => this.#wake());
  }

  #start(name: string, now: Date): void {
    this.#inFlight.start(
      name,
      () => this.#fires.run(name, now, this.#fireDeps),
      (error) => this.#fires.retryAfterError(name, error),
    );
  }

  #fireDepsOf(generation: number): FireDeps {
    return {
      ...this.deps,
      active: () => this.#running && this.#generation === generation,
      handedOff: () => this.#burst.handedOff(),
    };
  }

  #invalid(name: string, error: unknown, why = 'cannot compute its slots'): void {
    const failure = error instanceof Error ? error : new Error(String(error));
    this.deps.logger.log('error', `schedule skipped: ${why}`, {
      schedule: name,
      ...errorMeta(failure),
    });
    this.deps.emit('schedule:error', { name, error: failure });
  }
}
