/**
 * A burst of due fires that beat's loop starts over several turns of the event loop (WAKE_BATCH
 * at a time, so the lock's heartbeats and other timers still run). It keeps two things until the
 * whole burst is started:
 * - the time of the wake-up that found it due: its slots were on time then, and the time spent
 *   handing the burst out must not turn its tail into missed runs that the `skip` policy drops;
 * - the hand-off its fires' records wait behind. Each fire is still recorded only after its
 *   publish resolved; but when publishes resolve at once (a fast broker, a local sender), each
 *   batch's records ran before the next batch was handed out, and the last fire of 25,000 on one
 *   second waited for the records of all the others.
 */
export class Burst {
  #at: number | null = null;
  #handedOff: Promise<void> | null = null;
  #release: (() => void) | null = null;

  /** The wake-up time while a burst continues; null between bursts. */
  get at(): number | null {
    return this.#at;
  }

  /** More of the burst is due on the next turn of the event loop. */
  continues(at: number): void {
    this.#at = at;
    this.#handedOff ??= new Promise((resolve) => (this.#release = resolve));
  }

  /** The whole burst was started, or the loop stopped: the records go ahead. */
  end(): void {
    this.#at = null;
    this.#release?.();
    this.#handedOff = null;
    this.#release = null;
  }

  /** Resolves once the burst being started is all handed out; null when none is. */
  handedOff(): Promise<void> | null {
    return this.#handedOff;
  }
}
