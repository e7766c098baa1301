/**
 * A counting semaphore: at most `size` callers hold a slot, the rest wait in arrival order. The
 * size changes at run time (`pool_grow` / `pool_shrink`): a shrink takes effect as running
 * tasks finish, never by stopping one.
 */
export class Slots {
  #size: number;
  #busy = 0;
  readonly #waiting: Array<() => void> = [];

  constructor(size: number) {
    this.#size = size;
  }

  get size(): number {
    return this.#size;
  }

  /** Slots held now (tasks running). */
  get busy(): number {
    return this.#busy;
  }

  /** Callers waiting for a slot. */
  get waiting(): number {
    return this.#waiting.length;
  }

  resize(size: number): void {
    this.#size = Math.max(1, size);
    this.#admit();
  }

  /** Runs `work` in a slot: started before this returns when one is free and nobody waits. */
  run<T>(work: () => Promise<T>): Promise<T> {
    if (this.#busy < this.#size && this.#waiting.length === 0) {
      this.#busy += 1;
      return this.#holding(work);
    }
    return new Promise<void>((resolve) => this.#waiting.push(resolve)).then(() => this.#holding(work));
  }

  /** `work` in the slot already counted for it; the slot is given on when it ends. */
  async #holding<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } finally {
      this.#busy -= 1;
      this.#admit();
    }
  }

  #admit(): void {
    while (this.#busy < this.#size && this.#waiting.length > 0) {
      this.#busy += 1;
      this.#waiting.shift()!();
    }
  }
}
