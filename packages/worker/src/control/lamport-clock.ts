/**
 * The worker's Lamport clock, as Celery's `app.clock`: every control message moves it forward,
 * replies and hellos carry it, and mingle sets it past the other workers' clocks.
 */
export class LamportClock {
  #value = 0;

  get value(): number {
    return this.#value;
  }

  /** An event here: the clock ticks. */
  forward(): number {
    this.#value += 1;
    return this.#value;
  }

  /** A message stamped `other` arrived: the clock moves past it. */
  adjust(other: number): number {
    this.#value = Math.max(this.#value, Number.isFinite(other) ? other : 0) + 1;
    return this.#value;
  }
}
