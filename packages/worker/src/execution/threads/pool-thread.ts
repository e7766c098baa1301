import { Worker as Thread } from 'node:worker_threads';
import { errorMeta, type Logger } from '@celeriac/core';
import { failure, type TaskOutcome } from '../task-outcome.js';
import {
  fromWireError,
  fromWireOutcome,
  toWireError,
  type FromThread,
  type ToThread,
  type WireContext,
} from './thread-protocol.js';

const ENTRY = new URL('./thread-worker.js', import.meta.url);

/** The task a thread is running: where its logs and its outcome go. */
interface Run {
  id: number;
  logger: Logger;
  settle: (outcome: TaskOutcome) => void;
}

/**
 * One thread of the pool: runs a task at a time. When the thread dies under a task (an uncaught
 * error, `process.exit` in a handler, `terminate`), that task ends as FAILURE WorkerLostError
 * and `onExit` tells the pool to replace the thread.
 */
export class PoolThread {
  readonly ready: Promise<void>;
  #thread: Thread;
  #run: Run | null = null;
  /** Set as soon as the thread is known to be going: it must get no new task. */
  #gone = false;

  constructor(
    appUrl: string,
    private readonly logger: Logger,
    private readonly onExit: (thread: PoolThread) => void,
  ) {
    this.#thread = new Thread(ENTRY, { workerData: { appUrl } });
    this.ready = new Promise((resolve, reject) => {
      this.#thread.on('message', (message: FromThread) => this.#onMessage(message, resolve, reject));
      this.#thread.on('error', (error) => this.#onError(error, reject));
      this.#thread.on('exit', (code) => this.#onExitEvent(code, reject));
    });
  }

  get busy(): boolean {
    return this.#run !== null;
  }

  get gone(): boolean {
    return this.#gone;
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

  /** Stops the thread now; a task it was running ends with `reason`. */
  async terminate(reason: string): Promise<void> {
    this.#gone = true;
    this.#end(reason);
    await this.#thread.terminate();
  }

  #post(message: ToThread): void {
    try {
      this.#thread.postMessage(message);
    } catch (error) {
      // Arguments that cannot be cloned (they came from JSON, so this is a bug) fail the task.
      this.#finish(failure(error));
    }
  }

  #onMessage(message: FromThread, resolve: () => void, reject: (error: Error) => void): void {
    if (message.type === 'ready') return resolve();
    if (message.type === 'load-failed') return reject(fromWireError(message.error));
    if (message.runId !== this.#run?.id) return;
    if (message.type === 'log') this.#run.logger.log(message.level, message.message, message.meta);
    else this.#finish(fromWireOutcome(message.outcome));
  }

  #finish(outcome: TaskOutcome): void {
    const run = this.#run;
    this.#run = null;
    run?.settle(outcome);
  }

  #onError(error: Error, reject: (error: Error) => void): void {
    this.#gone = true;
    this.logger.log('error', 'a pool thread crashed', errorMeta(error));
    reject(error);
    this.#end(`the thread running the task crashed: ${error.message}`);
  }

  #onExitEvent(code: number, reject: (error: Error) => void): void {
    this.#gone = true;
    reject(new Error(`pool thread exited with code ${code} before it was ready`));
    this.#end(`the thread running the task exited (code ${code})`);
    this.onExit(this);
  }

  /** Ends the current task, if any, as Celery reports a task whose process died. */
  #end(reason: string): void {
    if (!this.#run) return;
    const error = Object.assign(new Error(reason), { name: 'WorkerLostError', excModule: 'billiard.exceptions' });
    this.#finish(failure(error));
  }
}
