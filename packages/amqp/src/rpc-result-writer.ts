import { encodeResult } from '@celeriac/protocol';
import { PublishError, silentLogger, type Logger, type ResultWriter, type StateUpdate } from '@celeriac/core';
import type { ConfirmPublisher } from './publisher.js';
import { DEFAULT_EXCHANGE } from './topology.js';

/**
 * Writes task states the way Celery's rpc:// backend does: a transient message to the default
 * exchange with the caller's `reply_to` as routing key. A caller that is gone (no such queue)
 * is logged, not an error: the task itself succeeded or failed either way.
 */
export class RpcResultWriter implements ResultWriter {
  readonly #logger: Logger;

  constructor(private readonly publisher: ConfirmPublisher, logger: Logger = silentLogger) {
    this.#logger = logger;
  }

  async store(update: StateUpdate): Promise<void> {
    if (!update.replyTo) return;
    const meta = { task_id: update.taskId, status: update.state, result: update.result, traceback: update.traceback, children: update.children ?? [] };
    const { body, properties } = encodeResult(meta, update.correlationId);
    try {
      await this.publisher.publish(DEFAULT_EXCHANGE, update.replyTo, body, properties);
    } catch (error) {
      if (!(error instanceof PublishError) || error.code !== 'PUBLISH_UNROUTABLE') throw error;
      this.#logger.log('warn', 'result not delivered: the caller\'s reply queue is gone', { taskId: update.taskId, state: update.state, replyTo: update.replyTo });
    }
  }
}
