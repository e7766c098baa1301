import { randomUUID } from 'node:crypto';
import type { Channel, ChannelModel, ConsumeMessage } from 'amqplib';
import { READY_STATES, decodeResult, type ResultMeta } from '@celeriac/protocol';
import { ResultError, errorMeta, silentLogger, type Logger, type ResultReader } from '@celeriac/core';
import type { AmqpConnection } from './connection.js';
import { declareQueue, replyQueue } from './topology/index.js';

export interface RpcResultReaderOptions {
  logger?: Logger;
  /** The reply queue is deleted by the broker after this long unused. @default one day */
  expiresMs?: number;
  /** Ready results kept for ids nobody has asked about yet; the oldest go first. @default 10 000 */
  maxUnclaimed?: number;
}

interface Waiter {
  resolve: (meta: ResultMeta) => void;
  reject: (error: Error) => void;
}

/**
 * Reads task states from one reply queue per client, as Celery's rpc:// backend does. Every
 * `waitForReady()` of the client shares the one consumer; states are routed by `task_id`.
 */
export class RpcResultReader implements ResultReader {
  readonly queue = randomUUID();
  readonly #latest = new Map<string, ResultMeta>();
  readonly #waiters = new Map<string, Set<Waiter>>();
  readonly #logger: Logger;
  readonly #expiresMs: number;
  readonly #maxUnclaimed: number;
  #started: Promise<void> | null = null;
  #channel: Channel | null = null;
  #closed = false;

  constructor(
    private readonly connection: AmqpConnection,
    options: RpcResultReaderOptions = {},
  ) {
    this.#logger = options.logger ?? silentLogger;
    this.#expiresMs = options.expiresMs ?? 86_400_000;
    this.#maxUnclaimed = options.maxUnclaimed ?? 10_000;
  }

  async replyTo(): Promise<string> {
    this.#started ??= this.connection
      .addSetup((model) => this.#consume(model))
      .then(
        () => undefined,
        (error: unknown) => {
          this.#started = null; // the next send tries again
          throw error;
        },
      );
    await this.#started;
    return this.queue;
  }

  async latest(taskId: string): Promise<ResultMeta | null> {
    return this.#latest.get(taskId) ?? null;
  }

  waitForReady(taskId: string, timeoutMs: number | null): Promise<ResultMeta> {
    const known = this.#latest.get(taskId);
    if (known && READY_STATES.has(known.status)) return Promise.resolve(this.#claim(known));
    return new Promise<ResultMeta>((resolve, reject) => {
      const waiter: Waiter = {
        resolve: (meta) => (clearTimeout(timer), resolve(meta)),
        reject: (error) => (clearTimeout(timer), reject(error)),
      };
      const timer =
        timeoutMs === null ? undefined : setTimeout(() => this.#timeOut(taskId, waiter, timeoutMs), timeoutMs);
      this.#addWaiter(taskId, waiter);
    });
  }

  async close(): Promise<void> {
    this.#closed = true;
    for (const [taskId, waiters] of this.#waiters) {
      for (const waiter of waiters)
        waiter.reject(
          new ResultError('RESULT_UNAVAILABLE', taskId, 'the client was closed while waiting for the result'),
        );
    }
    this.#waiters.clear();
    await this.#channel?.deleteQueue(this.queue).catch(() => undefined);
    this.#channel = null;
  }

  async #consume(model: ChannelModel): Promise<void> {
    if (this.#closed) return;
    const channel = await model.createChannel();
    channel.on('error', (error: Error) => this.#logger.log('warn', 'reply channel error', errorMeta(error)));
    await declareQueue(channel, replyQueue(this.queue, this.#expiresMs));
    await channel.consume(this.queue, (message) => this.#onReply(message), { noAck: true });
    this.#channel = channel;
  }

  #onReply(message: ConsumeMessage | null): void {
    if (message === null) return;
    try {
      this.#record(decodeResult(message.content));
    } catch (error) {
      this.#logger.log('warn', 'ignored an undecodable result', errorMeta(error));
    }
  }

  #record(meta: ResultMeta): void {
    const previous = this.#latest.get(meta.task_id);
    if (previous && READY_STATES.has(previous.status)) return;
    this.#latest.delete(meta.task_id);
    this.#latest.set(meta.task_id, meta);
    this.#evictOldest();
    if (!READY_STATES.has(meta.status)) return;
    const waiters = this.#waiters.get(meta.task_id);
    this.#waiters.delete(meta.task_id);
    if (!waiters) return;
    this.#claim(meta);
    for (const waiter of waiters) waiter.resolve(meta);
  }

  /** A ready result handed to its caller leaves the cache, which then holds only unclaimed ones. */
  #claim(meta: ResultMeta): ResultMeta {
    this.#latest.delete(meta.task_id);
    return meta;
  }

  #evictOldest(): void {
    while (this.#latest.size > this.#maxUnclaimed) {
      const oldest = this.#latest.keys().next().value as string;
      this.#latest.delete(oldest);
      this.#logger.log('warn', 'dropped an unclaimed result: too many results nobody asked for', { taskId: oldest });
    }
  }

  #addWaiter(taskId: string, waiter: Waiter): void {
    const waiters = this.#waiters.get(taskId) ?? new Set<Waiter>();
    waiters.add(waiter);
    this.#waiters.set(taskId, waiters);
  }

  #timeOut(taskId: string, waiter: Waiter, timeoutMs: number): void {
    const waiters = this.#waiters.get(taskId);
    waiters?.delete(waiter);
    if (waiters?.size === 0) this.#waiters.delete(taskId);
    waiter.reject(new ResultError('RESULT_TIMEOUT', taskId, `no result for task ${taskId} within ${timeoutMs} ms`));
  }
}
