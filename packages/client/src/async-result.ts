import { PROPAGATE_STATES, TaskState, type ResultMeta } from '@celeriac/protocol';
import { ResultError, TaskFailedError, type ResultReader } from '@celeriac/core';

export interface GetOptions {
  /** Give up after this long with a RESULT_TIMEOUT ResultError. @default wait without limit, as Celery does */
  timeoutMs?: number;
}

/** A chain step's `parent`: the previous task's AsyncResult, or a GroupResult. */
export interface ParentResult {
  readonly id: string;
  readonly parent: ParentResult | null;
  get(options?: GetOptions): Promise<unknown>;
}

/**
 * A handle on one task's result. `get()` resolves with the return value, or throws
 * TaskFailedError (FAILURE or REVOKED) carrying the remote exception's type, message and
 * traceback. The outcome is kept, so `get()` may be called again.
 */
export class AsyncResult<T = unknown> {
  #ready: ResultMeta | null = null;

  constructor(
    readonly id: string,
    private readonly reader: ResultReader | null,
    /** The step before this one in a chain (Celery's `AsyncResult.parent`); null for a lone task. */
    readonly parent: ParentResult | null = null,
  ) {}

  /** The latest known state; PENDING until the worker reports one. */
  async state(): Promise<TaskState> {
    if (this.#ready) return this.#ready.status;
    const meta = await this.reader?.latest(this.id);
    return meta?.status ?? TaskState.PENDING;
  }

  async get(options: GetOptions = {}): Promise<T> {
    const meta = this.#ready ?? (await this.#waitForReady(options.timeoutMs));
    if (PROPAGATE_STATES.has(meta.status)) throw new TaskFailedError(this.id, meta.status, meta.result, meta.traceback);
    return meta.result as T;
  }

  async #waitForReady(timeoutMs: number | undefined): Promise<ResultMeta> {
    if (!this.reader) throw new ResultError('RESULT_UNAVAILABLE', this.id, 'this client has no result backend');
    if (timeoutMs !== undefined && !(timeoutMs >= 0)) throw new RangeError('timeoutMs must be a number >= 0');
    this.#ready = await this.reader.waitForReady(this.id, timeoutMs ?? null);
    return this.#ready;
  }
}
