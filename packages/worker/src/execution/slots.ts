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

  async run<T>(work: () => Promise<T>): Promise<T> {
    await this.#acquire();
    try {
      return await work();
    } finally {
      this.#busy -= 1;
      this.#admit();
    }
  }

  #acquire(): Promise<void> {
    if (this.#busy < this.#size) {
      this.#busy += 1;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.#waiting.push(resolve));
  }

  #admit(): void {
    while (this.#busy < this.#size && this.#waiting.length > 0) {
      this.#busy += 1;
      this.#waiting.shift()!();
    }
  }
}
