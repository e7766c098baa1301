import { ConfigurationError } from '@celeriac/core';
import type { Job } from '../job.js';
import { cpuTasks } from '../task-registry.js';
import type { CompiledWorkerOptions } from '../worker-options.js';
import type { EmitWorkerEvent } from '../worker-events.js';
import { ChildPool } from './children/child-pool.js';
import { InlineExecutor } from './inline-executor.js';
import type { TaskExecutor } from './task-executor.js';
import type { TaskOutcome } from './task-outcome.js';

/**
 * Where handlers run, with a lifetime: started before the worker consumes, closed when it stops.
 * Two places: the worker's own event loop (inline) and a child pool (threads or processes), and
 * each task goes to one of them: its registration's `cpu` decides (true: a child, false: the
 * loop), else the worker's `pool`.
 */
export class Pool implements TaskExecutor {
  readonly inline: InlineExecutor;
  /** The threads or processes; null when every task runs inline. */
  readonly children: ChildPool | null;
  readonly #offLoopByDefault: boolean;

  constructor(options: CompiledWorkerOptions, emit: EmitWorkerEvent) {
    const { pool, appModule, concurrency, nodeName: hostname, logger } = options;
    this.inline = new InlineExecutor(hostname);
    this.#offLoopByDefault = pool !== 'inline';
    const needed = this.#offLoopByDefault || cpuTasks(options.tasks).length > 0;
    if (needed && appModule === null) throw new ConfigurationError(`pool '${pool}' needs appModule`);
    this.children =
      needed && appModule !== null
        ? new ChildPool({
            kind: pool === 'processes' ? 'processes' : 'threads',
            appModule,
            size: concurrency,
            hostname,
            logger,
            maxTasksPerChild: options.maxTasksPerChild,
            maxMemoryPerChildKb: options.maxMemoryPerChildKb,
            onRecycled: (info) => emit('pool:child-recycled', info),
          })
        : null;
  }

  /** What the control commands and `stats` call this pool. */
  get implementation(): string {
    return this.children && this.#offLoopByDefault ? `celeriac:${this.children.kind}` : 'celeriac:inline';
  }

  /** The process ids tasks run in (`stats` → pool.processes). */
  get pids(): number[] {
    const children = this.children?.pids ?? [];
    return this.#offLoopByDefault ? children : [...new Set([process.pid, ...children])];
  }

  start(): Promise<void> {
    return this.children?.start() ?? Promise.resolve();
  }

  close(): Promise<void> {
    return this.children?.close() ?? Promise.resolve();
  }

  execute(job: Job, signal?: AbortSignal, kill?: AbortSignal): Promise<TaskOutcome> {
    return this.#offLoop(job) ? this.children!.execute(job, signal, kill) : this.inline.execute(job, signal);
  }

  /** Whether a hard limit or a terminate really stops this job's handler (only in a child). */
  canKill(job: Job): boolean {
    return this.#offLoop(job);
  }

  /** The most tasks in children at once follows the worker's concurrency (pool_grow, autoscale). */
  resize(size: number): void {
    this.children?.resize(size);
  }

  #offLoop(job: Job): boolean {
    return this.children !== null && (job.registered.options.cpu ?? this.#offLoopByDefault);
  }
}
