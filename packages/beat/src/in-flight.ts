/**
 * The fires under way, one per schedule. A schedule in flight is out of the heap until its fire
 * ends, and a loop restarted meanwhile waits for them: what they record decides what it plans.
 * One promise per fire (one then with both handlers), not three (.catch and .finally chained on
 * each): a burst's fires are all in flight until it is handed out, 25,000 of them at once.
 */
export class InFlight {
  readonly #runs = new Map<string, Promise<void>>();

  has(name: string): boolean {
    return this.#runs.has(name);
  }

  /**
   * Runs `fire` as the fire of `name`; its error goes to `failed`. Chained with then, not wrapped
   * in an async function: a suspended async frame (its generator, registers and await closures)
   * was a fifth of what each of a burst's 25,000 fires kept alive while it waited for its record.
   */
  start(name: string, fire: () => Promise<void>, failed: (error: unknown) => void): void {
    const run: Promise<void> = started(fire).then(
      () => this.#ended(name, run),
      (error: unknown) => {
        try {
          failed(error);
        } finally {
          this.#ended(name, run);
        }
      },
    );
    this.#runs.set(name, run);
  }

  /** The fire of `name` is over as far as planning goes (it is back in the heap, or gone). */
  end(name: string): void {
    this.#runs.delete(name);
  }

  /** Resolves once every fire under way now has ended, however it ended. */
  async settled(): Promise<void> {
    await Promise.allSettled([...this.#runs.values()]);
  }

  /**
   * A run that ended at once (nothing due) may already have a successor, started by the same
   * wake-up once the schedule was back in the heap: its mark stays.
   */
  #ended(name: string, run: Promise<void>): void {
    if (this.#runs.get(name) === run) this.#runs.delete(name);
  }
}

/** The promise of `fire`, also when it throws before returning one. */
function started(fire: () => Promise<void>): Promise<void> {
  try {
    return fire();
  } catch (error) {
    // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- the failure handler gets what was thrown, as it is
    return Promise.reject(error);
  }
}
