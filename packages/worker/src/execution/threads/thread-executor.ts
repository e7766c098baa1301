import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ConfigurationError, errorMeta, type Logger } from '@celeriac/core';
import type { Job } from '../../job.js';
import { wasRedelivered } from '../../gates/delivery-count.js';
import type { TaskExecutor } from '../task-executor.js';
import { failure, type TaskOutcome } from '../task-outcome.js';
import { PoolThread } from './pool-thread.js';
import type { WireContext } from './thread-protocol.js';

/** A thread that died before it was ready is replaced after this pause, so a broken module cannot spin. */
const RESPAWN_DELAY_MS = 1000;

export interface ThreadExecutorOptions {
  /** Path or file URL of the module exporting the TaskRegistry; every thread imports it. */
  appModule: string;
  /** Threads in the pool: the worker's concurrency. */
  size: number;
  hostname: string;
  logger: Logger;
}

/**
 * The 'threads' pool: handlers run in a fixed pool of worker_threads, one task per thread, so
 * CPU-bound work does not stall the worker's event loop (acks, heartbeats, other tasks). Arguments
 * and context fields cross as structured-clone data; `ctx.signal` in the thread follows `signal`.
 * `kill` (hard time limit, revoke terminate, shutdown) terminates the thread, and a thread that
 * dies is replaced; its task FAILs with WorkerLostError.
 */
export class ThreadExecutor implements TaskExecutor {
  /** Tells the time-limit wrapper that a hard limit really stops the handler here. */
  readonly canKill = true;
  readonly #appUrl: string;
  readonly #threads = new Set<PoolThread>();
  readonly #idle: PoolThread[] = [];
  readonly #waiting: Array<{ resolve: (thread: PoolThread) => void; reject: (error: Error) => void }> = [];
  #nextRun = 1;
  #closed = false;

  constructor(private readonly options: ThreadExecutorOptions) {
    const { appModule } = options;
    this.#appUrl = /^file:/.test(appModule) ? appModule : pathToFileURL(resolve(appModule)).href;
  }

  /** Threads started and waiting for a task (for tests and diagnostics). */
  get idleThreads(): number {
    return this.#idle.length;
  }

  /** Starts every thread; rejects (and stops them) if the app module does not load in a thread. */
  async start(): Promise<void> {
    const threads = Array.from({ length: this.options.size }, () => this.#spawn());
    try {
      await Promise.all(threads.map((thread) => thread.ready));
    } catch (error) {
      await this.close();
      throw new ConfigurationError(
        `the threads pool could not load ${this.options.appModule}: ${(error as Error).message}`,
      );
    }
  }

  async execute(job: Job, signal: AbortSignal, kill: AbortSignal = signal): Promise<TaskOutcome> {
    const thread = await this.#acquire();
    // Killed while it waited for a thread (hard limit, terminate, shutdown): nobody waits for its
    // outcome, so it does not run, and the healthy thread it got is not terminated for it.
    if (kill.aborted) {
      this.#release(thread);
      return failure(kill.reason);
    }
    const id = this.#nextRun++;
    const forward = () => thread.abort(id, signal.reason);
    const stop = () => void this.#kill(job, thread, kill.reason);
    signal.addEventListener('abort', forward, { once: true });
    kill.addEventListener('abort', stop, { once: true });
    try {
      const outcome = thread.execute(id, job.task.args, wireContext(job, this.options.hostname), job.logger);
      // Only once the run is posted: an abort sent before it finds no run in the thread and is lost.
      if (signal.aborted) forward();
      return await outcome;
    } finally {
      signal.removeEventListener('abort', forward);
      kill.removeEventListener('abort', stop);
      this.#release(thread);
    }
  }

  /** Terminates every thread (running tasks end as WorkerLostError); used when the worker stops. */
  async close(): Promise<void> {
    this.#closed = true;
    for (const waiter of this.#waiting.splice(0)) waiter.reject(new Error('the threads pool is closed'));
    await Promise.all([...this.#threads].map((thread) => thread.terminate('the worker stopped')));
  }

  #spawn(): PoolThread {
    const thread = new PoolThread(this.#appUrl, this.options.logger, (exited) => this.#onExit(exited));
    this.#threads.add(thread);
    thread.ready.then(
      () => this.#release(thread),
      () => undefined, // #onExit replaces it; start() reports the error on first start.
    );
    return thread;
  }

  #acquire(): Promise<PoolThread> {
    if (this.#closed) return Promise.reject(new Error('the threads pool is closed'));
    const thread = this.#idle.shift();
    if (thread) return Promise.resolve(thread);
    return new Promise((resolve, reject) => this.#waiting.push({ resolve, reject }));
  }

  /** Round-robin: an idle thread goes to the back, so work spreads over all of them. */
  #release(thread: PoolThread): void {
    if (thread.gone || thread.busy || this.#idle.includes(thread)) return;
    const waiter = this.#waiting.shift();
    if (waiter) waiter.resolve(thread);
    else this.#idle.push(thread);
  }

  async #kill(job: Job, thread: PoolThread, reason: unknown): Promise<void> {
    job.logger.log('warn', 'terminating the pool thread running the task', {
      reason: reason instanceof Error ? reason.message : String(reason),
    });
    await thread
      .terminate(reason instanceof Error ? reason.message : 'terminated')
      .catch((error: unknown) =>
        this.options.logger.log('error', 'could not terminate a pool thread', errorMeta(error)),
      );
  }

  #onExit(thread: PoolThread): void {
    this.#threads.delete(thread);
    const index = this.#idle.indexOf(thread);
    if (index >= 0) this.#idle.splice(index, 1);
    if (this.#closed) return;
    this.options.logger.log('warn', 'a pool thread exited; starting a replacement');
    thread.ready.then(
      () => this.#spawn(),
      () => setTimeout(() => !this.#closed && this.#spawn(), RESPAWN_DELAY_MS).unref(),
    );
  }
}

/** The context fields a handler sees, as data the thread can receive. */
function wireContext(job: Job, hostname: string): WireContext {
  const { id, name, retries, kwargs, headers, rootId, parentId, eta, expires } = job.task;
  const delivery = { queue: job.delivery.queue, redelivered: wasRedelivered(job.delivery.message) };
  return { id, name, retries, kwargs, headers, rootId, parentId, eta, expires, delivery, hostname };
}
