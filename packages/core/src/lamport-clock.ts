/**
 * kombu's LamportClock: a counter every message a node sends carries (`clock`), moved past the
 * clock of every message it receives, so monitors can order one node's events and control
 * replies. One per process, shared by its control replies and its events.
 */
export class LamportClock {
  #value = 0;

  get value(): number {
    return this.#value;
  }

  /** Before sending: the next value. */
  forward(): number {
    this.#value += 1;
    return this.#value;
  }

  /** On receiving a message stamped `other`: past both clocks. */
  adjust(other: number): number {
    // A peer's header may be anything: a clock that is not a number moves ours by one.
    this.#value = Math.max(this.#value, Number.isFinite(other) ? other : 0) + 1;
    return this.#value;
  }
}
