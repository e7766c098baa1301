import type { Logger } from '@celeriac/core';
import { ExitCode } from './errors.js';
import type { CliIo, ShutdownSignal } from './io.js';

const SIGNALS: readonly ShutdownSignal[] = ['SIGINT', 'SIGTERM'];

/**
 * The first SIGINT or SIGTERM asks for a graceful stop (`received` resolves); a second one ends
 * the process at once with 128 + the signal number, for an operator who will not wait for
 * running tasks. Their messages are unacknowledged, so the broker redelivers them.
 */
export class ShutdownSignals {
  readonly received: Promise<ShutdownSignal>;
  #resolve: (signal: ShutdownSignal) => void = () => undefined;
  #count = 0;
  readonly #listeners = new Map<ShutdownSignal, () => void>();

  constructor(
    private readonly io: Pick<CliIo, 'signals' | 'exit'>,
    private readonly logger: Logger,
  ) {
    this.received = new Promise((resolve) => (this.#resolve = resolve));
    for (const signal of SIGNALS) this.#listen(signal);
  }

  /** A graceful stop asked for by something other than a signal (the supervisor is gone). */
  stopGracefully(reason: string): void {
    if (this.#count > 0) return;
    this.#count = 1;
    this.logger.log('warn', `${reason}: stopping after running tasks finish`);
    this.#resolve('SIGTERM');
  }

  dispose(): void {
    for (const [signal, listener] of this.#listeners) this.io.signals.off(signal, listener);
    this.#listeners.clear();
  }

  #listen(signal: ShutdownSignal): void {
    const listener = () => this.#onSignal(signal);
    this.#listeners.set(signal, listener);
    this.io.signals.on(signal, listener);
  }

  #onSignal(signal: ShutdownSignal): void {
    this.#count += 1;
    if (this.#count === 1) {
      this.logger.log(
        'info',
        `received ${signal}: stopping after running tasks finish (send it again to exit at once)`,
      );
      this.#resolve(signal);
      return;
    }
    this.logger.log('warn', `received ${signal} again: exiting now; unfinished tasks go back to the queue`);
    this.io.exit(signal === 'SIGINT' ? ExitCode.SIGINT : ExitCode.SIGTERM);
  }
}

/** What watchSupervisor needs of `process`. */
export interface SupervisedProcess {
  channel?: { unref(): void } | null | undefined;
  once(event: 'disconnect', listener: () => void): unknown;
}

/**
 * A child of `celeriac worker --processes N` stops gracefully when its supervisor is gone (its
 * IPC channel closes), instead of running on as an orphan nobody will signal. The channel is
 * unreferenced so it never keeps the worker alive by itself.
 */
export function watchSupervisor(
  shutdown: ShutdownSignals,
  child: SupervisedProcess,
  env: Readonly<Record<string, string | undefined>>,
): void {
  if (env.CELERIAC_SUPERVISED !== '1' || !child.channel) return;
  child.channel.unref();
  child.once('disconnect', () => shutdown.stopGracefully('the supervising process is gone'));
}
