/**
 * Celery's remote control from the client side: commands broadcast on the `celery.pidbox`
 * fanout, exactly as Python's `app.control` sends them, so Celeriac and Celery workers alike
 * act on them. Only fire-and-forget commands (no replies are collected).
 */
import { CONTROL_EXCHANGE, declareControlExchanges, type AmqpConnection, type ConfirmPublisher } from '@celeriac/amqp';
import { InvalidArgumentError, PublishError, type Logger } from '@celeriac/core';
import { encodeControlRequest, revokeArguments as revokeArgumentsOf, type RevokeArguments } from '@celeriac/protocol';

export interface RevokeOptions {
  /**
   * Also abort the task if it is running: its `ctx.signal` fires with a TaskRevokedError and it
   * is recorded REVOKED (a Python worker kills the process running it). @default false
   */
  terminate?: boolean;
}

/** How long replies to a broadcast stay valid: kombu's `expires` header, now + timeout (1 s). */
const BROADCAST_TIMEOUT_S = 1;

/** What `app.control.revoke(task_id, terminate=..., signal='SIGTERM')` puts in `arguments`, after checking the ids. */
export function revokeArguments(taskIds: string | readonly string[], options: RevokeOptions = {}): RevokeArguments {
  // Checked at run time too: JavaScript callers can pass anything.
  const given: unknown = taskIds;
  const list: unknown[] = typeof given === 'string' ? [given] : Array.isArray(given) ? [...(given as unknown[])] : [];
  if (list.length === 0 || !list.every((id) => typeof id === 'string' && id.length > 0)) {
    throw new InvalidArgumentError('revoke needs a task id or a non-empty list of task ids');
  }
  const terminate = options.terminate ?? false;
  if (typeof terminate !== 'boolean') throw new InvalidArgumentError('terminate must be true or false');
  return revokeArgumentsOf(typeof taskIds === 'string' ? taskIds : (list as string[]), terminate);
}

/** Broadcasts control commands on one client connection. */
export class ControlBroadcaster {
  /** Lamport clock, as kombu's: the `clock` header of every broadcast. */
  #clock = 0;
  #declared: Promise<void> | null = null;

  constructor(
    private readonly connection: AmqpConnection,
    private readonly publisher: ConfirmPublisher,
    private readonly logger: Logger,
  ) {}

  /**
   * Publishes a command to every worker (confirmed). With no worker listening nothing is
   * delivered and nothing is remembered, as with Celery: that is logged, not thrown.
   */
  async broadcast(method: string, args: Record<string, unknown>): Promise<void> {
    await this.#declareExchange();
    this.#clock += 1;
    const { body, properties } = encodeControlRequest({
      method,
      arguments: args,
      clock: this.#clock,
      expires: Date.now() / 1000 + BROADCAST_TIMEOUT_S,
    });
    try {
      await this.publisher.publish(CONTROL_EXCHANGE, '', body, properties);
    } catch (error) {
      if (!(error instanceof PublishError && error.code === 'PUBLISH_UNROUTABLE')) throw error;
      this.logger.log(
        'warn',
        `control command '${method}' reached no worker: none is listening on ${CONTROL_EXCHANGE}`,
        { method },
      );
    }
  }

  /** Once per broadcaster, on a throwaway channel (the exchange outlives reconnects). */
  #declareExchange(): Promise<void> {
    this.#declared ??= this.#declareOnce();
    this.#declared.catch(() => (this.#declared = null));
    return this.#declared;
  }

  async #declareOnce(): Promise<void> {
    const unregister = await this.connection.addSetup(async (model) => {
      const channel = await model.createChannel();
      try {
        await declareControlExchanges(channel);
      } finally {
        await channel.close().catch(() => undefined);
      }
    });
    unregister();
  }
}
