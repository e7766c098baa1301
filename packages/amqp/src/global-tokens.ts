/**
 * A rate limit shared by every worker of a task, across processes and hosts, built on the broker
 * alone. Tokens are messages in `celeriac.ratelimit.<task>.tokens`; a worker takes one (basic.get,
 * no ack) before it starts the task. One worker, elected by the exclusive queue
 * `celeriac.ratelimit.<task>.refiller` (LeaderLock, as beat's leader), adds tokens at the rate,
 * only while the queue holds fewer than `capacity`: the refiller is the only publisher, so the
 * count it reads can only have gone down since, and the queue never holds more than capacity.
 * Hence over any window of T seconds at most capacity + rate × T tasks start cluster-wide.
 *
 * It publishes on the connection that holds the lock: when that connection dies the lock goes
 * with it, and a refiller cut off from the broker cannot add tokens while a successor does.
 */
import type { Channel, ChannelModel } from 'amqplib';
import { errorMeta, type Logger } from '@celeriac/core';
import type { AmqpConnection } from './connection.js';
import { LeaderLock } from './leader-lock.js';
import { declareQueue, rateLimitRefillerQueue, rateLimitTokenQueue, type QueueSpec } from './topology/index.js';

export interface GlobalTokensOptions {
  task: string;
  /** Tokens per second, shared by all workers. */
  perSecond: number;
  logger: Logger;
  /** Tokens the queue may hold: the largest burst after a quiet period. @default 1 (as Celery's buckets) */
  capacity?: number;
  /** How often a standby tries to become the refiller. @default 1000 */
  retryMs?: number;
}

/** The refiller ticks at most this often; above 50/s each tick adds several tokens. */
const MIN_TICK_MS = 20;

export class GlobalTokens {
  readonly #tokens: QueueSpec;
  #channel: Channel | null = null;
  #lock: LeaderLock | null = null;
  #refill: NodeJS.Timeout | null = null;
  #refillChannel: Channel | null = null;
  #unregister: () => void = () => undefined;

  private constructor(private readonly options: GlobalTokensOptions) {
    this.#tokens = rateLimitTokenQueue(options.task);
  }

  /** Declares the token queue (again after every reconnect) and competes to refill it. */
  static async start(connection: AmqpConnection, options: GlobalTokensOptions): Promise<GlobalTokens> {
    const tokens = new GlobalTokens(options);
    tokens.#unregister = await connection.addSetup((model) => tokens.#open(model));
    const lock = {
      retryMs: options.retryMs ?? 1000,
      logger: options.logger,
      label: `rate-limit refiller of ${options.task}`,
    };
    tokens.#lock = await LeaderLock.start(connection, { ...lock, queue: rateLimitRefillerQueue(options.task) }, (l) =>
      tokens.#listen(l),
    );
    return tokens;
  }

  /** How long a worker that found no token waits before asking again. */
  get pollMs(): number {
    return Math.max(5, Math.min(50, 1000 / this.options.perSecond / 2));
  }

  /** Takes a token; false when there is none now (or the broker cannot be asked). */
  async take(): Promise<boolean> {
    const channel = this.#channel;
    if (!channel) return false;
    try {
      return (await channel.get(this.#tokens.name, { noAck: true })) !== false;
    } catch (error) {
      this.options.logger.log('debug', 'could not take a rate-limit token', errorMeta(error));
      return false;
    }
  }

  async stop(): Promise<void> {
    this.#unregister();
    this.#stopRefilling();
    await this.#lock?.stop();
    await this.#channel?.close().catch(() => undefined);
    this.#channel = null;
  }

  async #open(model: ChannelModel): Promise<void> {
    const channel = await model.createChannel();
    channel.on('error', (error: Error) =>
      this.options.logger.log('warn', 'rate-limit channel error', errorMeta(error)),
    );
    channel.once('close', () => this.#channel === channel && (this.#channel = null));
    await declareQueue(channel, this.#tokens);
    this.#channel = channel;
  }

  #listen(lock: LeaderLock): void {
    lock.on('acquired', (model) => void this.#startRefilling(model));
    lock.on('lost', () => this.#stopRefilling());
  }

  async #startRefilling(model: ChannelModel): Promise<void> {
    const channel = await model.createChannel().catch(() => null);
    if (!channel) return;
    channel.on('error', () => undefined); // a closing connection; the lock reports the loss
    this.#stopRefilling();
    const tickMs = Math.max(MIN_TICK_MS, 1000 / this.options.perSecond);
    const capacity = this.options.capacity ?? 1;
    let owed = 0;
    let busy = false; // one top-up at a time: two reading the same count could overfill
    this.#refill = setInterval(() => {
      owed = Math.min(capacity, owed + (tickMs / 1000) * this.options.perSecond);
      if (busy) return;
      busy = true;
      void this.#topUp(channel, owed).then((added) => ((owed -= added), (busy = false)));
    }, tickMs);
    this.#refillChannel = channel;
  }

  /** Adds whole tokens owed, without the queue going over capacity; returns how many went in. */
  async #topUp(channel: Channel, owed: number): Promise<number> {
    try {
      const { messageCount } = await channel.checkQueue(this.#tokens.name);
      const room = Math.min(Math.floor(owed), (this.options.capacity ?? 1) - messageCount);
      for (let i = 0; i < room; i++) channel.sendToQueue(this.#tokens.name, Buffer.from('1'), { persistent: false });
      return Math.max(0, room);
    } catch {
      return 0; // the channel or connection went; the lock tells the loss
    }
  }

  #stopRefilling(): void {
    if (this.#refill) clearInterval(this.#refill);
    this.#refill = null;
    void this.#refillChannel?.close().catch(() => undefined);
    this.#refillChannel = null;
  }
}
