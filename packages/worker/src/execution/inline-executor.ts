import type { Job } from '../job.js';
import { wasRedelivered } from '../gates/delivery-count.js';
import { retry } from '../retry/retry-decision.js';
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
 * Without `signal`, `ctx.signal` is the job's own, made when the handler first reads it. It is an
 * own, enumerable getter of a plain object, so a spread copy, a Proxy and a context derived with
 * Object.create (celery.map's inner calls) all reach it; a class getter over private fields broke
 * the last two.
 */
export function taskContext(job: Job, signal: AbortSignal | undefined, hostname: string): TaskContext {
  const { id, name, retries, kwargs, headers, rootId, parentId, eta, expires } = job.task;
  const delivery = { queue: job.delivery.queue, redelivered: wasRedelivered(job.delivery.message) };
  const abort = job.abort;
  const policy = job.registered.options;
  return {
    id,
    name,
    retries,
    kwargs,
    headers,
    rootId,
    parentId,
    eta,
    expires,
    delivery,
    hostname,
    get signal() {
      return signal ?? abort.signal;
    },
    logger: job.logger,
    retry: (options) => retry({ id, name, retries, policy }, options),
  };
}
