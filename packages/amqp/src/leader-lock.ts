/**
 * Leadership among the beats of a group: the leader is the beat whose connection declared the
 * group's exclusive queue (`celeriac.beat.leader` for the default group). Any other declare fails with 405 RESOURCE_LOCKED, so the others stay
 * standby and try again every second, each time on a fresh channel (the 405 closes it).
 *
 * The broker deletes an exclusive queue when its connection goes: at once when the leader's
 * process dies (even by SIGKILL: the OS closes the socket), and within about two heartbeats
 * when its host or network vanishes, which is why the lock connection uses a short heartbeat.
 * A leader that sees its lock channel or connection close stops leading at once and goes back
 * to standby; after a reconnect it competes again like any other beat.
 */
import type { Channel, ChannelModel } from 'amqplib';
import { TypedEmitter, errorMeta, type Logger } from '@celeriac/core';
import type { AmqpConnection } from './connection.js';
import { beatLeaderQueue, declareQueue, type BeatGroup, type QueueSpec } from './topology/index.js';

export type LeaderLockEvents = {
  /** The lock is ours; `model` is the connection holding it (control consumers go on it). */
  acquired: [model: ChannelModel];
  lost: [reason: string];
};

export interface LeaderLockOptions {
  retryMs: number;
  logger: Logger;
  /** The beat group whose lock this is. @default null (the default group) */
  group?: BeatGroup;
  /** Another exclusive queue to hold instead of a beat group's (a rate-limit refiller's). */
  queue?: QueueSpec;
  /** Who leads, in the log lines. @default 'beat' */
  label?: string;
}

/** AMQP reply code of a declare on an exclusive queue another connection owns. */
const RESOURCE_LOCKED = 405;

export class LeaderLock extends TypedEmitter<LeaderLockEvents> {
  #model: ChannelModel | null = null;
  #held: Channel | null = null;
  #timer: NodeJS.Timeout | null = null;
  #stopped = false;
  #unregister: () => void = () => undefined;
  readonly #queue: QueueSpec;
  readonly #label: string;

  private constructor(private readonly options: LeaderLockOptions) {
    super();
    this.#queue = options.queue ?? beatLeaderQueue(options.group ?? null);
    this.#label = options.label ?? 'beat';
  }

  /**
   * Starts competing on `connection` (redone after every reconnect). Listeners attached by
   * `onReady` before the first attempt see its outcome; resolves once that attempt is over.
   */
  static async start(
    connection: AmqpConnection,
    options: LeaderLockOptions,
    onReady: (lock: LeaderLock) => void,
  ): Promise<LeaderLock> {
    const lock = new LeaderLock(options);
    onReady(lock);
    lock.#unregister = await connection.addSetup((model) => lock.#onConnected(model));
    return lock;
  }

  get held(): boolean {
    return this.#held !== null;
  }

  /** Stops competing and releases the lock (deletes the queue) so a standby takes over within a retry. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#unregister();
    this.#clearTimer();
    await this.release('beat stopping');
  }

  /**
   * Gives the lock up but keeps competing (after a retry period): for a leader that cannot lead,
   * e.g. its store failed to load, so that a healthy standby takes over instead.
   */
  async release(reason: string): Promise<void> {
    const channel = this.#held;
    if (!channel) return;
    this.#lose(reason);
    await channel.deleteQueue(this.#queue.name).catch(() => undefined);
    await channel.close().catch(() => undefined);
  }

  async #onConnected(model: ChannelModel): Promise<void> {
    this.#model = model;
    model.once('close', () => this.#onConnectionClosed(model));
    await this.#attempt(model);
  }

  async #attempt(model: ChannelModel): Promise<void> {
    this.#clearTimer();
    if (this.#stopped || this.#held || this.#model !== model) return;
    let channel: Channel | null = null;
    try {
      channel = await model.createChannel();
      channel.on('error', () => undefined); // a 405 closes the channel; the catch below handles it
      await declareQueue(channel, this.#queue);
    } catch (error) {
      this.#onRefused(model, channel, error);
      return;
    }
    this.#hold(model, channel);
  }

  #hold(model: ChannelModel, channel: Channel): void {
    if (this.#stopped || this.#model !== model) {
      void channel.close().catch(() => undefined); // the connection closes with us; the queue goes with it
      return;
    }
    this.#held = channel;
    channel.once('close', () => this.#held === channel && this.#lose('lock channel closed'));
    this.options.logger.log('info', `${this.#label} is the leader`, { lock: this.#queue.name });
    this.emit('acquired', model);
  }

  #onRefused(model: ChannelModel, channel: Channel | null, error: unknown): void {
    void channel?.close().catch(() => undefined);
    const locked = (error as { code?: unknown }).code === RESOURCE_LOCKED;
    if (locked)
      this.options.logger.log('debug', `standby: another ${this.#label} holds the leader lock`, {
        lock: this.#queue.name,
      });
    else this.options.logger.log('warn', 'leader lock attempt failed; retrying', errorMeta(error));
    this.#retryLater(model);
  }

  #onConnectionClosed(model: ChannelModel): void {
    if (this.#model !== model) return;
    this.#model = null;
    this.#clearTimer();
    // The hook runs again after amqplib reconnects and competes from scratch.
    if (this.#held) this.#lose('lock connection lost');
  }

  #lose(reason: string): void {
    this.#held = null;
    this.options.logger.log(this.#stopped ? 'info' : 'warn', `${this.#label} is no longer the leader`, { reason });
    this.emit('lost', reason);
    if (this.#model) this.#retryLater(this.#model);
  }

  #retryLater(model: ChannelModel): void {
    if (this.#stopped || this.#timer) return;
    this.#timer = setTimeout(() => void this.#attempt(model), this.options.retryMs);
  }

  #clearTimer(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
  }
}
