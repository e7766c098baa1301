/**
 * The loop-delay watchdog: the worker's event loop carries its AMQP heartbeats and acks, so
 * anything that holds it (a handler computing synchronously on the inline pool, above all) delays
 * them; past twice the heartbeat the broker drops the connection and delivers the tasks on it
 * again. A timer every TICK_MS measures how late it fires; a lateness of BLOCKED_LOOP_MS or more
 * is a block, reported once, after it ends (nothing on this thread runs during it), with the
 * handler that caused it when the inline pool can tell. The delay of the loop (p99 and max over
 * the last window or two, from perf_hooks' monitorEventLoopDelay) is exposed for metrics.
 */
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import type { Job } from '../job.js';
import type { BlockSuspects } from './inline-executor.js';

/** A loop held this long is reported as blocked (an error naming the task). */
export const BLOCKED_LOOP_MS = 1000;
const TICK_MS = 100;
/** The delay figures cover the current window and the one before (15-30 s). */
const WINDOW_MS = 15_000;
/** Handlers named in one report, at most. */
const NAMED_SUSPECTS = 5;

export interface LoopDelay {
  /** 99th percentile of the event loop's delay, in ms. */
  p99Ms: number;
  /** The longest delay, in ms (a block shows here). */
  maxMs: number;
}

export interface LoopBlock {
  /** How much later than due the watchdog's timer fired: the loop was held at least this long. */
  blockedMs: number;
  /** The handler that held it, when that is known (its synchronous part took most of the block, or it was the only one running). */
  culprit: Job | null;
  /** When the culprit is not known: how many inline handlers ran meanwhile, and some of their names. */
  suspects: { count: number; names: string[] };
}

export interface LoopWatchdogOptions {
  /** The inline pool's handlers since the last tick (InlineExecutor.takeSuspects). */
  suspects: () => BlockSuspects;
  onBlocked: (block: LoopBlock) => void;
  /** @default BLOCKED_LOOP_MS */
  thresholdMs?: number;
}

export class LoopWatchdog {
  readonly #threshold: number;
  #timer: NodeJS.Timeout | null = null;
  #histogram: IntervalHistogram | null = null;
  #last = 0;
  #windowStart = 0;
  /** The longest lateness of the tick in the current window (the histogram's resolution is coarse). */
  #maxMs = 0;
  #previous: LoopDelay = { p99Ms: 0, maxMs: 0 };

  constructor(private readonly options: LoopWatchdogOptions) {
    this.#threshold = options.thresholdMs ?? BLOCKED_LOOP_MS;
  }

  start(): void {
    if (this.#timer) return;
    this.#histogram = monitorEventLoopDelay({ resolution: 20 });
    this.#histogram.enable();
    this.#last = this.#windowStart = performance.now();
    this.#timer = setInterval(() => this.#tick(), TICK_MS).unref();
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    this.#histogram?.disable();
  }

  /** The loop's delay over the current window and the one before. */
  get delay(): LoopDelay {
    const current = this.#current();
    return {
      p99Ms: Math.max(current.p99Ms, this.#previous.p99Ms),
      maxMs: Math.max(current.maxMs, this.#previous.maxMs),
    };
  }

  #current(): LoopDelay {
    const histogram = this.#histogram;
    const measured = histogram && histogram.count > 0;
    return {
      p99Ms: measured ? round(histogram.percentile(99) / 1e6) : 0,
      maxMs: Math.max(this.#maxMs, measured ? round(histogram.max / 1e6) : 0),
    };
  }

  #tick(): void {
    const now = performance.now();
    const lateMs = now - this.#last - TICK_MS;
    this.#last = now;
    this.#maxMs = Math.max(this.#maxMs, round(lateMs));
    // Asked on every tick, so that it only ever holds what ran since the last one.
    const suspects = this.options.suspects();
    if (lateMs >= this.#threshold) this.options.onBlocked(block(Math.round(lateMs), suspects));
    if (now - this.#windowStart >= WINDOW_MS) this.#roll(now);
  }

  #roll(now: number): void {
    this.#previous = this.#current();
    this.#histogram?.reset();
    this.#maxMs = 0;
    this.#windowStart = now;
  }
}

function block(blockedMs: number, { longest, running, finished }: BlockSuspects): LoopBlock {
  const count = running.length + finished.count;
  // A synchronous part that took most of the block is certain; a lone handler is the only candidate.
  const lone = count === 1 ? (running[0] ?? finished.last) : null;
  const culprit = longest && longest.ms >= blockedMs / 2 ? longest.job : lone;
  const names = [...new Set([...running.map((job) => job.task.name), ...finished.names])];
  return { blockedMs, culprit, suspects: culprit ? { count: 0, names: [] } : { count, names } };
}

/** How to keep the loop free, for the report. */
export const OFF_THE_LOOP =
  "run it off the event loop: register the task with cpu: true, or run the worker with --pool threads or processes (pool: 'threads' with appModule; the default of celeriac worker)";

/** The one error line a block gets: the task when known, how long, and what to do. */
export function blockReport(block: LoopBlock): string {
  const waited = `heartbeats and acks waited (past twice the heartbeat the broker drops the connection and delivers its unacknowledged tasks again)`;
  const { blockedMs, culprit, suspects } = block;
  if (culprit)
    return `task ${culprit.task.name} blocked the event loop for ${blockedMs} ms on the inline pool: ${waited}; ${OFF_THE_LOOP}`;
  if (suspects.count === 0) return `the event loop was blocked for ${blockedMs} ms outside any task handler: ${waited}`;
  const { names } = suspects;
  const named = names.slice(0, NAMED_SUSPECTS).join(', ') + (names.length > NAMED_SUSPECTS ? ', ...' : '');
  return `the event loop was blocked for ${blockedMs} ms while ${suspects.count} inline handlers ran (${named}), one of which computes synchronously: ${waited}; ${OFF_THE_LOOP}`;
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}
