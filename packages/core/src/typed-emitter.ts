import { EventEmitter } from 'node:events';

/** Event name → listener arguments, e.g. `{ 'task:failed': [info: FailedInfo] }`. */
export type EventMap = Record<string, unknown[]>;

/**
 * An EventEmitter whose `on`/`once`/`off`/`emit` only accept the events of `Events`, so a
 * misspelled event name or a wrong payload fails to compile.
 */
export class TypedEmitter<Events extends EventMap> {
  readonly #emitter = new EventEmitter();

  on<E extends keyof Events & string>(event: E, listener: (...args: Events[E]) => void): this {
    this.#emitter.on(event, listener as (...args: unknown[]) => void);
    return this;
  }

  once<E extends keyof Events & string>(event: E, listener: (...args: Events[E]) => void): this {
    this.#emitter.once(event, listener as (...args: unknown[]) => void);
    return this;
  }

  off<E extends keyof Events & string>(event: E, listener: (...args: Events[E]) => void): this {
    this.#emitter.off(event, listener as (...args: unknown[]) => void);
    return this;
  }

  protected emit<E extends keyof Events & string>(event: E, ...args: Events[E]): boolean {
    return this.#emitter.emit(event, ...args);
  }

  listenerCount<E extends keyof Events & string>(event: E): number {
    return this.#emitter.listenerCount(event);
  }
}
