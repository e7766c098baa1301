import { spawn, type ChildProcess } from 'node:child_process';
import { backoffDelayMs, type BackoffOptions, type Logger } from '@celeriac/core';
import { ExitCode } from './errors.js';
import type { ShutdownSignal, SignalSource } from './io.js';

/** The environment variable a supervised child gets, so it runs the worker itself (flags > env > file). */
export const SUPERVISED_ENV = { CELERIAC_PROCESSES: '0', CELERIAC_SUPERVISED: '1' } as const;

/** The part of a child process the supervisor uses (a fake in unit tests). */
export type Child = Pick<ChildProcess, 'pid' | 'kill' | 'once'>;

export interface SupervisorOptions {
  /** Worker processes to keep running. */
  count: number;
  spawnChild: (index: number) => Child;
  signals: SignalSource;
  logger: Logger;
  /** A child that lived at least this long before dying resets its back-off. @default 10 000 */
  healthyAfterMs?: number;
  /** Pause before restarting a child that keeps dying young. @default 1 s doubling to 30 s, no jitter */
  backoff?: BackoffOptions;
}

interface Slot {
  index: number;
  child: Child | null;
  startedAt: number;
  /** Consecutive deaths within healthyAfterMs of starting. */
  quickDeaths: number;
  restart: NodeJS.Timeout | null;
}

const SIGNALS: readonly ShutdownSignal[] = ['SIGINT', 'SIGTERM'];

/**
 * `celeriac worker --processes N`: keeps N worker processes running on this host. One that dies
 * is restarted, after a growing pause when it keeps dying young, so a crash loop does not spin.
 * SIGTERM and SIGINT are forwarded to every child (a second one too, which makes the children
 * exit at once); it resolves when all children have stopped: 0 after one signal, 128 + n after two.
 */
export class Supervisor {
  readonly #slots: Slot[];
  readonly #listeners = new Map<ShutdownSignal, () => void>();
  #signalsReceived = 0;
  #exitCode: number = ExitCode.OK;
  #done: () => void = () => undefined;

  constructor(private readonly options: SupervisorOptions) {
    this.#slots = Array.from({ length: options.count }, (_, index) => ({
      index,
      child: null,
      startedAt: 0,
      quickDeaths: 0,
      restart: null,
    }));
  }

  run(): Promise<number> {
    const finished = new Promise<void>((resolve) => (this.#done = resolve));
    for (const signal of SIGNALS) this.#listen(signal);
    for (const slot of this.#slots) this.#start(slot);
    return finished.then(() => {
      for (const [signal, listener] of this.#listeners) this.options.signals.off(signal, listener);
      return this.#exitCode;
    });
  }

  #listen(signal: ShutdownSignal): void {
    const listener = () => this.#onSignal(signal);
    this.#listeners.set(signal, listener);
    this.options.signals.on(signal, listener);
  }

  #start(slot: Slot): void {
    slot.restart = null;
    const child = this.options.spawnChild(slot.index);
    slot.child = child;
    slot.startedAt = Date.now();
    this.options.logger.log('info', 'worker process started', { index: slot.index, pid: child.pid });
    child.once('exit', (code: number | null, signal: NodeJS.Signals | null) => this.#onExit(slot, child, code, signal));
  }

  #onExit(slot: Slot, child: Child, code: number | null, signal: NodeJS.Signals | null): void {
    if (slot.child !== child) return;
    slot.child = null;
    const meta = { index: slot.index, pid: child.pid, code, signal };
    if (this.#signalsReceived > 0) {
      this.options.logger.log('info', 'worker process stopped', meta);
      return this.#finishIfAllStopped();
    }
    const delayMs = this.#restartDelay(slot);
    this.options.logger.log('warn', 'worker process died; restarting it', { ...meta, restartInMs: delayMs });
    slot.restart = setTimeout(() => this.#start(slot), delayMs);
  }

  /** No pause after a child that ran for a while; a growing one while it keeps dying young. */
  #restartDelay(slot: Slot): number {
    const healthyAfterMs = this.options.healthyAfterMs ?? 10_000;
    slot.quickDeaths = Date.now() - slot.startedAt >= healthyAfterMs ? 0 : slot.quickDeaths + 1;
    if (slot.quickDeaths === 0) return 0;
    return backoffDelayMs(slot.quickDeaths - 1, this.options.backoff ?? { baseMs: 1000, maxMs: 30_000, jitter: false });
  }

  #onSignal(signal: ShutdownSignal): void {
    this.#signalsReceived += 1;
    const again = this.#signalsReceived > 1;
    if (again) this.#exitCode = signal === 'SIGINT' ? ExitCode.SIGINT : ExitCode.SIGTERM;
    this.options.logger.log(
      again ? 'warn' : 'info',
      `received ${signal}: passing it to the worker processes${again ? ' (they exit at once)' : ''}`,
    );
    for (const slot of this.#slots) {
      if (slot.restart) clearTimeout(slot.restart);
      slot.restart = null;
      slot.child?.kill(signal);
    }
    this.#finishIfAllStopped();
  }

  #finishIfAllStopped(): void {
    if (this.#slots.every((slot) => slot.child === null)) this.#done();
  }
}

/** The command line of a child: this one without `--processes`, which the child must not see. */
export function childArguments(argv: readonly string[]): string[] {
  const args: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--processes') i++;
    else if (!arg.startsWith('--processes=')) args.push(arg);
  }
  return args;
}

/**
 * Spawns `node <this script> <args>` with the same Node flags. Output goes straight to ours; the
 * IPC channel is there so a child notices when the supervisor is gone (see watchSupervisor).
 */
export function spawnWorkerProcess(env: NodeJS.ProcessEnv): Child {
  const script = process.argv[1] ?? '';
  const args = [...process.execArgv, script, ...childArguments(process.argv.slice(2))];
  return spawn(process.execPath, args, {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    env: { ...env, ...SUPERVISED_ENV },
  });
}
