import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ConfigurationError, errorMeta, type Logger } from '@celeriac/core';
import type { Job } from '../../job.js';
import type { TaskExecutor } from '../task-executor.js';
import { failure, type TaskOutcome } from '../task-outcome.js';
import type { ChildKind } from './child-handle.js';
import { wireContext } from './child-protocol.js';
import { PoolChild } from './pool-child.js';
import { recycleReason, type ChildRecycledInfo } from './recycling.js';

/** A child that died before it was ready is replaced after this pause, so a broken module cannot spin. */
const RESPAWN_DELAY_MS = 1000;

export interface ChildPoolOptions {
  /** Worker threads, or forked processes (like Celery's prefork children). */
  kind: ChildKind;
  /** Path or file URL of the module exporting the TaskRegistry; every child imports it. */
  appModule: string;
  /** The most children running at once: the worker's concurrency (changed by resize). */
  size: number;
  hostname: string;
  logger: Logger;
  /** Replace a child after it has run this many tasks. @default null (never) */
  maxTasksPerChild?: number | null;
  /** Replace a child, after its task, once it holds more than this many KiB. @default null (never) */
  maxMemoryPerChildKb?: number | null;
  /** Told each time a child is replaced for one of the limits above. */
  onRecycled?: (info: ChildRecycledInfo) => void;
}

interface Waiter {
  resolve: (child: PoolChild) => void;
  reject: (error: Error) => void;
}

/**
 * The 'threads' and 'processes' pools: each handler runs in a child (a worker thread or a forked
 * Node process), one task per child, so synchronous or CPU-bound work never holds the event loop
 * that carries the worker's heartbeats and acks. Children start when tasks need them, up to
 * `size`, and stay; a child is replaced after `maxTasksPerChild` tasks or past
 * `maxMemoryPerChildKb`, after its current task, as Celery's prefork pool does. Arguments and
 * context fields cross as structured-clone data; `ctx.signal` in the child follows `signal`.
 * `kill` (hard time limit, revoke terminate, shutdown) stops the child, whose task FAILs with
 * WorkerLostError; the next task that needs a child starts a new one.
 */
export class ChildPool implements TaskExecutor {
  /** Tells the time-limit wrapper that a hard limit really stops the handler here. */
  readonly canKill = true;
  readonly #appUrl: string;
  /** Children that take tasks: starting, idle or busy (not those retiring or dead). */
  readonly #children = new Set<PoolChild>();
  readonly #starting = new Set<PoolChild>();
  readonly #retiring = new Set<PoolChild>();
  /** Children stopped on purpose under a task (a hard limit, a terminate, the shutdown timeout). */
  readonly #killed = new WeakSet<PoolChild>();
  readonly #idle: PoolChild[] = [];
  readonly #waiting: Waiter[] = [];
  #size: number;
  #nextRun = 1;
  #closed = false;

  constructor(private readonly options: ChildPoolOptions) {
    const { appModule } = options;
    this.#appUrl = /^file:/.test(appModule) ? appModule : pathToFileURL(resolve(appModule)).href;
    this.#size = Math.max(1, options.size);
  }

  get kind(): ChildKind {
    return this.options.kind;
  }

  /** The most children at once. */
  get size(): number {
    return this.#size;
  }

  /** Children alive and taking tasks now (for tests, stats and diagnostics). */
  get childCount(): number {
    return this.#children.size;
  }

  /** Children started and waiting for a task. */
  get idleCount(): number {
    return this.#idle.length;
  }

  /** The children's process ids; a thread pool's children all live in this process. */
  get pids(): number[] {
    if (this.options.kind === 'threads') return [process.pid];
    return [...this.#children].flatMap((child) => (child.pid === null ? [] : [child.pid]));
  }

  /** Starts one child; rejects (and stops it) if the app module does not load in it. */
  async start(): Promise<void> {
    const child = this.#spawn();
    try {
      await child.ready;
    } catch (error) {
      await this.close();
      throw new ConfigurationError(
        `the ${this.options.kind} pool could not load ${this.options.appModule}: ${(error as Error).message}`,
      );
    }
  }

  async execute(job: Job, given?: AbortSignal, killGiven?: AbortSignal): Promise<TaskOutcome> {
    const signal = given ?? job.abort.signal;
    const kill = killGiven ?? signal;
    const child = await this.#acquire();
    // Killed while it waited for a child (hard limit, terminate, shutdown): nobody waits for its
    // outcome, so it does not run, and the healthy child it got is not stopped for it.
    if (kill.aborted) {
      this.#release(child);
      return failure(kill.reason);
    }
    const id = this.#nextRun++;
    const forward = () => child.abort(id, signal.reason);
    const stop = () => void this.#kill(job, child, kill.reason);
    signal.addEventListener('abort', forward, { once: true });
    kill.addEventListener('abort', stop, { once: true });
    try {
      const outcome = child.execute(id, job.task.args, wireContext(job, this.options.hostname), job.logger);
      // Only once the run is posted: an abort sent before it finds no run in the child and is lost.
      if (signal.aborted) forward();
      return await outcome;
    } finally {
      signal.removeEventListener('abort', forward);
      kill.removeEventListener('abort', stop);
      this.#afterRun(child, job);
    }
  }

  /**
   * Changes the most children at once (pool_grow, pool_shrink, autoscale): idle children beyond
   * it end now, busy ones after their task; never a running task is stopped.
   */
  resize(size: number): void {
    this.#size = Math.max(1, size);
    while (this.#children.size > this.#size && this.#idle.length > 0) this.#retire(this.#idle.pop()!);
    this.#fill();
  }

  /** Stops every child (running tasks end as WorkerLostError); used when the worker stops. */
  async close(): Promise<void> {
    this.#closed = true;
    for (const waiter of this.#waiting.splice(0)) waiter.reject(new Error(`the ${this.options.kind} pool is closed`));
    const all = [...this.#children, ...this.#retiring];
    await Promise.all(all.map((child) => child.terminate('the worker stopped')));
  }

  #spawn(): PoolChild {
    const { kind, logger } = this.options;
    const child = new PoolChild(kind, this.#appUrl, logger, (exited) => this.#onExit(exited));
    this.#children.add(child);
    this.#starting.add(child);
    child.ready.then(
      () => {
        this.#starting.delete(child);
        this.#release(child);
      },
      // #onExit replaces it when a task waits; start() reports the error on the first start.
      (error: unknown) => {
        if (this.#closed) return;
        logger.log('error', `a pool ${noun(kind)} could not load the app module`, errorMeta(error));
      },
    );
    return child;
  }

  #acquire(): Promise<PoolChild> {
    if (this.#closed) return Promise.reject(new Error(`the ${this.options.kind} pool is closed`));
    const child = this.#idle.shift();
    if (child) return Promise.resolve(child);
    const waiting = new Promise<PoolChild>((resolve, reject) => this.#waiting.push({ resolve, reject }));
    this.#fill();
    return waiting;
  }

  /** Starts children for the tasks that wait for one, within the size. */
  #fill(): void {
    if (this.#closed) return;
    while (this.#waiting.length > this.#starting.size && this.#children.size < this.#size) this.#spawn();
  }

  /** Round-robin: an idle child goes to the back, so work spreads over all of them. */
  #release(child: PoolChild): void {
    if (child.gone || child.busy || this.#idle.includes(child) || !this.#children.has(child)) return;
    if (this.#children.size > this.#size) return this.#retire(child);
    const waiter = this.#waiting.shift();
    if (waiter) waiter.resolve(child);
    else this.#idle.push(child);
  }

  /** After a task: a child past a limit is replaced, a healthy one takes the next task. */
  #afterRun(child: PoolChild, job: Job): void {
    if (child.gone) return;
    const reason = recycleReason(child, this.options);
    if (!reason) return this.#release(child);
    const info = { kind: child.kind, reason, tasks: child.tasks, memoryKb: Math.round(child.memoryBytes / 1024) };
    job.logger.log('info', `pool ${noun(child.kind)} recycled after this task (${reason})`, {
      ...info,
      limit: reason === 'max-tasks-per-child' ? this.options.maxTasksPerChild : this.options.maxMemoryPerChildKb,
    });
    this.#retire(child);
    this.options.onRecycled?.(info);
    this.#fill();
  }

  /** Ends an idle child: it takes no task from now on, and its place is free at once. */
  #retire(child: PoolChild): void {
    this.#children.delete(child);
    const index = this.#idle.indexOf(child);
    if (index >= 0) this.#idle.splice(index, 1);
    this.#retiring.add(child);
    child
      .retire()
      .catch((error: unknown) =>
        this.options.logger.log('error', `could not stop a pool ${noun(child.kind)}`, errorMeta(error)),
      );
  }

  async #kill(job: Job, child: PoolChild, reason: unknown): Promise<void> {
    this.#killed.add(child);
    // Whoever fired `kill` has said why (the time limit, the revoke, the shutdown timeout).
    job.logger.log('info', `stopping the pool ${noun(child.kind)} running the task`, {
      reason: reason instanceof Error ? reason.message : String(reason),
    });
    await child
      .terminate(reason instanceof Error ? reason.message : 'terminated')
      .catch((error: unknown) =>
        this.options.logger.log('error', `could not terminate a pool ${noun(child.kind)}`, errorMeta(error)),
      );
  }

  #onExit(child: PoolChild): void {
    const retired = this.#retiring.delete(child);
    const wasReady = !this.#starting.delete(child);
    this.#children.delete(child);
    const index = this.#idle.indexOf(child);
    if (index >= 0) this.#idle.splice(index, 1);
    if (this.#closed || retired) return;
    const level = this.#killed.has(child) ? 'debug' : 'warn';
    this.options.logger.log(level, `a pool ${noun(child.kind)} exited; the next task that needs one starts another`);
    // One that never got ready (its module fails to load) is not restarted in a tight loop.
    if (wasReady) this.#fill();
    else setTimeout(() => this.#fill(), RESPAWN_DELAY_MS).unref();
  }
}

function noun(kind: ChildKind): string {
  return kind === 'threads' ? 'thread' : 'process';
}
