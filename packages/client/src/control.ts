/**
 * Celery's remote control from the client side: commands broadcast on the `celery.pidbox`
 * fanout, exactly as Python's `app.control` sends them, so Celeriac and Celery workers alike
 * act on them: fire-and-forget (`revoke`), or asked with replies collected for a while, as
 * `app.control.inspect()` and `broadcast(..., reply=True)` do.
 */
import { randomUUID } from 'node:crypto';
import {
  CONTROL_EXCHANGE,
  askPidbox,
  declareControlExchanges,
  type AmqpConnection,
  type ConfirmPublisher,
  type PublishProperties,
} from '@celeriac/amqp';
import { InvalidArgumentError, PublishError, errorMeta, type Logger } from '@celeriac/core';
import {
  decodeControlReply,
  encodeControlRequest,
  revokeArguments as revokeArgumentsOf,
  type RawMessage,
  type RevokeArguments,
} from '@celeriac/protocol';

export interface RevokeOptions {
  /**
   * Also abort the task if it is running: its `ctx.signal` fires with a TaskRevokedError and it
   * is recorded REVOKED (a Python worker kills the process running it). @default false
   */
  terminate?: boolean;
}

/** How long replies to a broadcast stay valid: kombu's `expires` header, now + timeout (1 s). */
const BROADCAST_TIMEOUT_S = 1;

export interface AskOptions {
  /** Only these nodes act and answer; the wait ends once all of them have. @default every node */
  destination?: readonly string[];
  /** How long replies are collected, as Celery's `--timeout` (1 s). @default 1000 */
  timeoutMs?: number;
}

/** Each answering node's reply, by node name, as `app.control.inspect()` returns them. */
export type ControlReplies = Record<string, unknown>;

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
    await this.#publish(method, body, properties);
  }

  /** Publishes a command; one that no worker is bound to receive is logged, not thrown. */
  async #publish(method: string, body: Buffer, properties: PublishProperties): Promise<void> {
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

  /** Sends a command and collects the nodes' replies until the timeout (or every destination answered). */
  async ask(method: string, args: Record<string, unknown>, options: AskOptions = {}): Promise<ControlReplies> {
    const { destination, timeoutMs = BROADCAST_TIMEOUT_S * 1000 } = checkAsk(options);
    await this.#declareExchange();
    const ticket = randomUUID();
    const replies = await askPidbox(this.connection, {
      timeoutMs,
      ...(destination ? { limit: destination.length } : {}),
      send: async (replyTo) => {
        this.#clock += 1;
        const expires = (Date.now() + timeoutMs) / 1000;
        const request = { method, arguments: args, destination, ticket, replyTo, clock: this.#clock, expires };
        const { body, properties } = encodeControlRequest(request);
        // No worker listening: no replies, as with Celery, after the timeout.
        await this.#publish(method, body, properties);
      },
    });
    return this.#collect(replies, ticket);
  }

  #collect(messages: readonly RawMessage[], ticket: string): ControlReplies {
    const replies: ControlReplies = {};
    for (const message of messages) {
      try {
        const reply = decodeControlReply(message);
        if (reply.ticket === null || reply.ticket === ticket) replies[reply.nodeName] = reply.reply;
      } catch (error) {
        this.logger.log('warn', 'ignoring a control reply that cannot be read', errorMeta(error));
      }
    }
    return replies;
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

function checkAsk(options: AskOptions): AskOptions {
  const { destination, timeoutMs } = options;
  if (
    destination !== undefined &&
    !(Array.isArray(destination) && destination.every((node) => typeof node === 'string'))
  )
    throw new InvalidArgumentError('destination must be a list of node names');
  if (timeoutMs !== undefined && !(Number.isFinite(timeoutMs) && timeoutMs > 0))
    throw new InvalidArgumentError('timeoutMs must be a number of milliseconds > 0');
  return options;
}
