import type { Job } from '../job.js';
import { wasRedelivered } from '../gates/delivery-count.js';
import type { Logger } from '@celeriac/core';
import { retry, type RetryOptions } from '../retry/retry-decision.js';
import type { TaskAbort } from './task-abort.js';
import { runHandler } from './run-handler.js';
import type { TaskContext } from './task-context.js';
import type { TaskExecutor } from './task-executor.js';
import type { TaskOutcome } from './task-outcome.js';

/** A handler call whose synchronous part takes this long is remembered, to name it after a block. */
const LONG_SYNC_PART_MS = 100;
/** Names of finished handlers kept between two looks of the watchdog. */
const MAX_NAMES_KEPT = 6;

/** Which inline handlers may have held the event loop since the watchdog last looked. */
export interface BlockSuspects {
  /** The call whose synchronous part took the longest, when one took LONG_SYNC_PART_MS or more. */
  longest: { job: Job; ms: number } | null;
  /** The inline handlers still running. */
  running: Job[];
  /**
   * Those that finished since: how many, the last one, and a few names. Finished jobs are not
   * kept: at thousands of tasks a second, holding them until the next look made them outlive
   * the young generation, and the garbage collector's work showed in every task's cost.
   */
  finished: { count: number; last: Job | null; names: string[] };
}

/**
 * The inline pool: handlers on the worker's own event loop, for async, I/O-bound work (the least
 * overhead per task). A handler that computes synchronously holds that loop, with the worker's
 * heartbeats and acks: the loop watchdog (loop-watchdog.ts) notices and asks this pool which
 * handler it was. The synchronous part of each call is timed for that, and the handlers running
 * or finished since the watchdog's last look are kept.
 */
export class InlineExecutor implements TaskExecutor {
  /** A JavaScript function cannot be stopped from outside: `kill` is not honoured here. */
  readonly canKill = false;
  readonly #running = new Set<Job>();
  #finishedCount = 0;
  #lastFinished: Job | null = null;
  #finishedNames = new Set<string>();
  #longest: { job: Job; ms: number } | null = null;

  constructor(private readonly hostname: string) {}

  execute(job: Job, signal?: AbortSignal): Promise<TaskOutcome> {
    this.#running.add(job);
    const started = performance.now();
    const outcome = runHandler(job.registered, job.task.args, taskContext(job, signal, this.hostname));
    const syncMs = performance.now() - started;
    if (syncMs >= LONG_SYNC_PART_MS && syncMs > (this.#longest?.ms ?? 0)) this.#longest = { job, ms: syncMs };
    return outcome.finally(() => {
      this.#running.delete(job);
      this.#finishedCount += 1;
      this.#lastFinished = job;
      if (this.#finishedNames.size < MAX_NAMES_KEPT) this.#finishedNames.add(job.task.name);
    });
  }

  /** Handlers running now. */
  get runningCount(): number {
    return this.#running.size;
  }

  /** What ran since the last call (the watchdog's previous look), and forgets the finished ones. */
  takeSuspects(): BlockSuspects {
    const finished = { count: this.#finishedCount, last: this.#lastFinished, names: [...this.#finishedNames] };
    const suspects = { longest: this.#longest, running: [...this.#running], finished };
    this.#finishedCount = 0;
    this.#lastFinished = null;
    this.#finishedNames.clear();
    this.#longest = null;
    return suspects;
  }
}

/**
 * What the handler sees of its run on the worker's own thread (a child pool sends the data part).
 * Without `signal`, `ctx.signal` is the job's own, made when the handler first reads it (a class
 * getter: a getter in an object literal made each context several times dearer to build).
 */
export function taskContext(job: Job, signal: AbortSignal | undefined, hostname: string): TaskContext {
  return new InlineContext(job, signal, hostname);
}

class InlineContext implements TaskContext {
  readonly id: string;
  readonly name: string;
  readonly retries: number;
  readonly kwargs: Readonly<Record<string, unknown>>;
  readonly headers: Readonly<Record<string, unknown>>;
  readonly rootId: string;
  readonly parentId: string | null;
  readonly eta: Date | null;
  readonly expires: Date | null;
  readonly delivery: { readonly queue: string; readonly redelivered: boolean };
  readonly logger: Logger;
  /** A field, not a method: a handler may take it off the context (`const { retry } = ctx`). */
  readonly retry: (options?: RetryOptions) => never;
  readonly #abort: TaskAbort;
  readonly #given: AbortSignal | undefined;

  constructor(
    job: Job,
    given: AbortSignal | undefined,
    readonly hostname: string,
  ) {
    const task = job.task;
    this.id = task.id;
    this.name = task.name;
    this.retries = task.retries;
    this.kwargs = task.kwargs;
    this.headers = task.headers;
    this.rootId = task.rootId;
    this.parentId = task.parentId;
    this.eta = task.eta;
    this.expires = task.expires;
    this.delivery = { queue: job.delivery.queue, redelivered: wasRedelivered(job.delivery.message) };
    this.logger = job.logger;
    const target = { id: task.id, name: task.name, retries: task.retries, policy: job.registered.options };
    this.retry = (options) => retry(target, options);
    this.#abort = job.abort;
    this.#given = given;
  }

  get signal(): AbortSignal {
    return this.#given ?? this.#abort.signal;
  }
}
