import { EventEmitter } from 'node:events';
import { errorMeta, type Logger } from './logger.js';

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

/** How a component's parts emit its events: the same checks as TypedEmitter's own emit. */
export type EmitFunction<Events extends EventMap> = <E extends keyof Events & string>(
  event: E,
  ...args: Events[E]
) => void;

/**
 * `emit`, except that a listener that throws is logged instead of thrown into the emitter's own
 * work. An application's listener must never break a worker's delivery (its message may be
 * acked already: settling it again is a 406 that closes the channel under every other task) or
 * a beat's loop or lock.
 */
export function safeEmitter<Events extends EventMap>(emit: EmitFunction<Events>, logger: Logger): EmitFunction<Events> {
  return (event, ...args) => {
    try {
      emit(event, ...args);
    } catch (error) {
      logger.log('error', `a '${event}' event listener threw`, errorMeta(error));
    }
  };
}
