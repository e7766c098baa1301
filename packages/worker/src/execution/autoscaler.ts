/**
 * Celery's autoscaler (`--autoscale max,min`): the worker's concurrency follows its load, the
 * tasks running and those waiting for a slot (held in the prefetch, which is sized for `max`).
 * Checked every second: it grows to the load at once (up to `max`) and shrinks to it (down to
 * `min`) once the extra slots have not been needed for `keepaliveMs`. A shrink never stops a
 * running task: slots and children above the size go as their tasks end.
 */
import type { Logger } from '@celeriac/core';
import type { AutoscaleOptions } from '../worker-options.js';

const TICK_MS = 1000;

/** What the autoscaler sizes: the slots and the pool's children together (worker-control.ts). */
export interface Scalable {
  readonly size: number;
  resize(size: number): void;
  /** Tasks running plus tasks waiting for a slot. */
  readonly demand: number;
}

/** Celery's `Autoscaler.info()`, shown by `inspect stats`. */
export interface AutoscalerInfo {
  max: number;
  min: number;
  current: number;
  qty: number;
}

export class Autoscaler {
  #max: number;
  #min: number;
  readonly #keepaliveMs: number;
  #lastNeeded: number;
  #timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly target: Scalable,
    bounds: Required<AutoscaleOptions>,
    private readonly logger: Logger,
    private readonly clock: () => number = Date.now,
  ) {
    this.#max = bounds.max;
    this.#min = bounds.min;
    this.#keepaliveMs = bounds.keepaliveMs;
    this.#lastNeeded = clock();
  }

  start(): void {
    this.#timer ??= setInterval(() => this.scale(), TICK_MS).unref();
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
  }

  get info(): AutoscalerInfo {
    return { max: this.#max, min: this.#min, current: this.target.size, qty: this.target.demand };
  }

  /** One look at the load (every second once started). */
  scale(): void {
    const { size, demand } = this.target;
    const now = this.clock();
    if (demand >= size) this.#lastNeeded = now;
    const up = Math.min(demand, this.#max);
    if (up > size) return this.#resize(up, 'grew');
    const down = Math.max(demand, this.#min);
    if (down < size && now - this.#lastNeeded >= this.#keepaliveMs) this.#resize(down, 'shrank');
  }

  /** `control autoscale max min`: new bounds (either may be left as it is); the size moves into them. */
  update(max: number | null, min: number | null): [max: number, min: number] {
    if (max !== null) this.#max = Math.max(1, max);
    if (min !== null) this.#min = Math.max(1, min);
    if (this.#min > this.#max) this.#min = this.#max;
    const { size } = this.target;
    if (size > this.#max) this.#resize(this.#max, 'shrank');
    else if (size < this.#min) this.#resize(this.#min, 'grew');
    return [this.#max, this.#min];
  }

  /** `pool_grow n` with autoscale on, as Celery's force_scale_up: past max raises max. */
  forceScaleUp(n: number): void {
    const size = this.target.size + n;
    if (size > this.#max) this.#max = size;
    this.#lastNeeded = this.clock();
    this.#resize(size, 'grew');
  }

  /** `pool_shrink n` with autoscale on, as Celery's force_scale_down: below min lowers min. */
  forceScaleDown(n: number): void {
    const size = Math.max(1, this.target.size - n);
    if (size < this.#min) this.#min = size;
    this.#resize(size, 'shrank');
  }

  #resize(size: number, how: 'grew' | 'shrank'): void {
    const from = this.target.size;
    this.target.resize(size);
    if (this.target.size !== from)
      this.logger.log('info', `autoscale: concurrency ${how} from ${from} to ${this.target.size}`, {
        demand: this.target.demand,
        min: this.#min,
        max: this.#max,
      });
  }
}
