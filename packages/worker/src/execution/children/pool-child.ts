import { errorMeta, type Logger } from '@celeriac/core';
import { failure, type TaskOutcome } from '../task-outcome.js';
import { spawnChild, type ChildHandle, type ChildKind } from './child-handle.js';
import {
  fromWireError,
  fromWireOutcome,
  toWireError,
  type FromChild,
  type ToChild,
  type WireContext,
} from './child-protocol.js';

/** The task a child is running: where its logs and its outcome go. */
interface Run {
  id: number;
  logger: Logger;
  settle: (outcome: TaskOutcome) => void;
}

/**
 * One child of a pool (a thread or a process): runs a task at a time. When the child dies under
 * a task (an uncaught error, `process.exit` in a handler, a kill), that task ends as FAILURE
 * WorkerLostError and `onExit` tells the pool.
 */
export class PoolChild {
  readonly ready: Promise<void>;
  readonly #handle: ChildHandle;
  #run: Run | null = null;
  /** Set as soon as the child is known to be going: it must get no new task. */
  #gone = false;
  /** Tasks this child has finished (maxTasksPerChild). */
  #tasks = 0;
  /** What it said it holds after its last task (maxMemoryPerChildKb). */
  #memoryBytes = 0;

  constructor(
    readonly kind: ChildKind,
    appUrl: string,
    private readonly logger: Logger,
    private readonly onExit: (child: PoolChild) => void,
  ) {
    let resolveReady: () => void = () => undefined;
    let rejectReady: (error: Error) => void = () => undefined;
    this.ready = new Promise((resolve, reject) => {
      resolveReady = resolve;
      rejectReady = reject;
    });
    this.#handle = spawnChild(kind, appUrl, {
      message: (message) => this.#onMessage(message, resolveReady, rejectReady),
      error: (error) => this.#onError(error, rejectReady),
      exit: (code) => this.#onExitEvent(code, rejectReady),
    });
  }

  get busy(): boolean {
    return this.#run !== null;
  }

  get gone(): boolean {
    return this.#gone;
  }

  get tasks(): number {
    return this.#tasks;
  }

  get memoryBytes(): number {
    return this.#memoryBytes;
  }

  /** A child process's id; null for a thread. */
  get pid(): number | null {
    return this.#handle.pid;
  }

  execute(id: number, args: readonly unknown[], context: WireContext, logger: Logger): Promise<TaskOutcome> {
    return new Promise((settle) => {
      this.#run = { id, logger, settle };
      this.#post({ type: 'run', runId: id, args, context });
    });
  }

  abort(id: number, reason: unknown): void {
    if (this.#run?.id === id) this.#post({ type: 'abort', runId: id, reason: toWireError(reason) });
  }

  /** Stops the child now; a task it was running ends with `reason`. */
  async terminate(reason: string): Promise<void> {
    this.#gone = true;
    this.#end(reason);
    await this.#handle.kill();
  }

  /** Ends an idle child (recycled, or beyond the pool's size). */
  async retire(): Promise<void> {
    this.#gone = true;
    await this.#handle.retire();
  }

  #post(message: ToChild): void {
    try {
      this.#handle.post(message);
    } catch (error) {
      // Arguments that cannot be cloned (they came from JSON, so this is a bug), or a child whose
      // channel closed under it: the task fails, and a dead child reports its exit anyway.
      this.#finish(failure(error));
    }
  }

  #onMessage(message: FromChild, resolve: () => void, reject: (error: Error) => void): void {
    if (message.type === 'ready') return resolve();
    if (message.type === 'load-failed') return reject(fromWireError(message.error));
    if (message.runId !== this.#run?.id) return;
    if (message.type === 'log') return this.#run.logger.log(message.level, message.message, message.meta);
    this.#tasks += 1;
    this.#memoryBytes = message.memoryBytes;
    this.#finish(fromWireOutcome(message.outcome));
  }

  #finish(outcome: TaskOutcome): void {
    const run = this.#run;
    this.#run = null;
    run?.settle(outcome);
  }

  #onError(error: Error, reject: (error: Error) => void): void {
    this.#gone = true;
    this.logger.log('error', `a pool ${this.#noun()} crashed`, errorMeta(error));
    reject(error);
    this.#end(`the ${this.#noun()} running the task crashed: ${error.message}`);
  }

  #onExitEvent(code: number | string, reject: (error: Error) => void): void {
    this.#gone = true;
    reject(new Error(`pool ${this.#noun()} exited (${code}) before it was ready`));
    this.#end(`the ${this.#noun()} running the task exited (${typeof code === 'number' ? `code ${code}` : code})`);
    this.onExit(this);
  }

  #noun(): string {
    return this.kind === 'threads' ? 'thread' : 'process';
  }

  /** Ends the current task, if any, as Celery reports a task whose process died. */
  #end(reason: string): void {
    if (!this.#run) return;
    const error = Object.assign(new Error(reason), { name: 'WorkerLostError', excModule: 'billiard.exceptions' });
    this.#finish(failure(error));
  }
}
