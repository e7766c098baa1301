/**
 * A task's abort switch, with its AbortSignal made only when something reads it. The worker
 * aborts a run at its shutdown timeout and on a revoke with terminate; a handler reads
 * `ctx.signal` when it wants to stop early. A no-op task does neither, and
 * `new AbortController()` with its listener was ~7 µs of such a task's ~90 µs of worker CPU
 * (drain benchmark profile).
 */
export class TaskAbort {
  #controller: AbortController | null = null;
  #aborted = false;
  #reason: unknown = undefined;
  #listeners: Array<(reason: unknown) => void> | null = null;

  /** The run's AbortSignal: made on first read, already aborted (same reason) if the run was. */
  get signal(): AbortSignal {
    if (!this.#controller) {
      this.#controller = new AbortController();
      if (this.#aborted) this.#controller.abort(this.#reason);
    }
    return this.#controller.signal;
  }

  get aborted(): boolean {
    return this.#aborted;
  }

  get reason(): unknown {
    return this.#reason;
  }

  /** As AbortController.abort: the first call wins; without a reason, an AbortError. */
  abort(reason: unknown = new DOMException('This operation was aborted', 'AbortError')): void {
    if (this.#aborted) return;
    this.#aborted = true;
    this.#reason = reason;
    this.#controller?.abort(reason);
    const listeners = this.#listeners ?? [];
    this.#listeners = null;
    for (const listener of listeners) listener(reason);
  }

  /** Calls `listener` once when the run is aborted, without making a signal; returns its removal. */
  onAbort(listener: (reason: unknown) => void): () => void {
    (this.#listeners ??= []).push(listener);
    return () => {
      const index = this.#listeners?.indexOf(listener) ?? -1;
      if (index >= 0) this.#listeners?.splice(index, 1);
    };
  }
}
