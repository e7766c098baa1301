/**
 * The fires under way, one per schedule. A schedule in flight is out of the heap until its fire
 * ends, and a loop restarted meanwhile waits for them: what they record decides what it plans.
 * One promise per fire, not three (.catch and .finally chained on each): a burst's fires are all
 * in flight until it is handed out, 25,000 of them at once.
 */
export class InFlight {
  readonly #runs = new Map<string, Promise<void>>();

  has(name: string): boolean {
    return this.#runs.has(name);
  }

  /** Runs `fire` as the fire of `name`; its error goes to `failed`. */
  start(name: string, fire: () => Promise<void>, failed: (error: unknown) => void): void {
    const run: Promise<void> = this.#guarded(name, fire, failed, () => run);
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

  async #guarded(
    name: string,
    fire: () => Promise<void>,
    failed: (error: unknown) => void,
    self: () => Promise<void>,
  ): Promise<void> {
    try {
      await fire();
    } catch (error) {
      failed(error);
    } finally {
      // A run that ended at once (nothing due) may already have a successor, started by the same
      // wake-up once the schedule was back in the heap: its mark stays.
      if (this.#runs.get(name) === self()) this.#runs.delete(name);
    }
  }
}
