import { READY_STATES, encodeResult } from '@celeriac/protocol';
import {
  PublishError,
  errorMeta,
  silentLogger,
  type Logger,
  type ResultWriter,
  type StateUpdate,
} from '@celeriac/core';
import type { ConfirmPublisher, PublishProperties } from './publisher.js';
import { DEFAULT_EXCHANGE } from './topology/index.js';

/**
 * When a final state finds no reply queue, it is published again after these pauses. Celery
 * 5.6's rpc client treats each timeout of its drain loop as a lost connection and rebuilds its
 * consumer, and its auto-delete reply queue is gone for that moment: a result arriving then was
 * lost (2 of 8 one-second tasks, with Celeriac or Celery workers alike; fixed in Celery 5.7).
 */
export const REPLY_RETRY_DELAYS_MS: readonly number[] = [250, 500, 1000];
/** Replies waiting for a retry at once; past this a missing caller is given up at once. */
const MAX_WAITING_REPLIES = 1000;

interface Reply {
  taskId: string;
  state: string;
  replyTo: string;
  body: Buffer;
  properties: PublishProperties;
}

/**
 * Writes task states the way Celery's rpc:// backend does: a transient message to the default
 * exchange with the caller's `reply_to` as routing key. A caller that is gone (no such queue)
 * is logged, not an error: the task itself succeeded or failed either way. A final state is
 * tried again a few times in the background first (never holding up the ack), in case the
 * queue is only gone for a moment; only a final state, so no state can overtake it.
 */
export class RpcResultWriter implements ResultWriter {
  readonly #logger: Logger;
  #waiting = 0;

  constructor(
    private readonly publisher: ConfirmPublisher,
    logger: Logger = silentLogger,
  ) {
    this.#logger = logger;
  }

  async store(update: StateUpdate): Promise<void> {
    if (!update.replyTo) return;
    const meta = {
      task_id: update.taskId,
      status: update.state,
      result: update.result,
      traceback: update.traceback,
      children: update.children ?? [],
    };
    const { body, properties } = encodeResult(meta, update.correlationId);
    const reply = { taskId: update.taskId, state: update.state, replyTo: update.replyTo, body, properties };
    if (await this.#delivered(reply)) return;
    if (READY_STATES.has(update.state) && this.#waiting < MAX_WAITING_REPLIES) this.#retryLater(reply, 0);
    else this.#gone(reply);
  }

  /** True once published; false when no queue took it. Other failures throw, as before. */
  async #delivered(reply: Reply): Promise<boolean> {
    try {
      await this.publisher.publish(DEFAULT_EXCHANGE, reply.replyTo, reply.body, reply.properties);
      return true;
    } catch (error) {
      if (error instanceof PublishError && error.code === 'PUBLISH_UNROUTABLE') return false;
      throw error;
    }
  }

  #retryLater(reply: Reply, attempt: number): void {
    const delay = REPLY_RETRY_DELAYS_MS[attempt];
    if (delay === undefined) return this.#gone(reply);
    this.#waiting += 1;
    const retry = async () => {
      this.#waiting -= 1;
      if (!(await this.#delivered(reply))) this.#retryLater(reply, attempt + 1);
    };
    setTimeout(
      () =>
        void retry().catch((error: unknown) =>
          this.#logger.log('warn', 'result not delivered: publishing it again failed', {
            taskId: reply.taskId,
            ...errorMeta(error),
          }),
        ),
      delay,
    ).unref();
  }

  #gone({ taskId, state, replyTo }: Reply): void {
    this.#logger.log('warn', "result not delivered: the caller's reply queue is gone", { taskId, state, replyTo });
  }
}
