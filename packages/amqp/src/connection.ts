import './field-table-compat.js';
import './corked-writes.js';
import type { ChannelModel, RecoveringChannelModel } from 'amqplib';
import { ConnectionError, errorMeta, redactUrl, silentLogger, type BrokerUrls, type Logger } from '@celeriac/core';
import { BrokerRotation } from './broker-rotation.js';
import { connectRecovering } from './recovering-connect.js';
import { tlsHint, tlsSocketOptions, type BrokerTlsOptions } from './tls.js';
import { declarePassively, fallBackToPassive, type DeclareMode } from './topology/declare-mode.js';
import { probeDeclareRights } from './topology/declare-probe.js';

/**
 * The longest wait between reconnect attempts (amqplib's default is 30 s): after a broker
 * outage of 10-25 s the fault suite saw clients come back up to 10 s after the node did.
 */
export const RECONNECT_MAX_DELAY_MS = 5_000;

/**
 * How long one attempt may take to open a connection. A node cut off by a partition drops
 * packets instead of refusing, and without a limit the attempt waits for the OS's TCP timeout
 * (about two minutes) before the next node of the list is tried.
 */
export const CONNECT_TIMEOUT_MS = 10_000;

/** Work to redo on every (re)connect: open channels, declare topology, re-subscribe. */
export type SetupHook = (model: ChannelModel) => Promise<void>;

export interface AmqpConnectionOptions {
  /** One broker, or the nodes of a cluster (`amqp://h1;amqp://h2` or an array), tried in turn. */
  url: BrokerUrls;
  /** Shown in the management UI and `rabbitmqctl list_connections` to tell connections apart. */
  name: string;
  logger?: Logger;
  /** Heartbeat in seconds; dead peers are noticed after about two of them. @default 10 */
  heartbeatSeconds?: number;
  /** Time one attempt may take to open the connection (TCP and AMQP handshake). @default CONNECT_TIMEOUT_MS */
  connectTimeoutMs?: number;
  /** Retries before the first connection is given up, at least one per URL. @default 5 (about three seconds) */
  initialRetries?: number;
  /** Told when the connection is lost (false) and when it is back with its hooks run (true); not for the first connect. */
  onStatusChange?: (connected: boolean) => void;
  /** CA, client certificate and server name for `amqps://` URLs. */
  tls?: BrokerTlsOptions;
  /**
   * False for a user without `configure` rights: shared queues and exchanges are checked, not
   * declared (topology/declare-mode.ts). 'auto' finds out at each connect. @default 'auto'
   */
  declare?: DeclareMode;
}

/**
 * One recovering AMQP connection (amqplib's built-in recovery). Components register setup hooks;
 * each runs now if connected and again after every reconnect, because amqplib revives the
 * connection but never old channels or consumers.
 */
export class AmqpConnection {
  readonly #hooks = new Set<SetupHook>();
  readonly #logger: Logger;
  #model: ChannelModel | null = null;
  #recovering: RecoveringChannelModel | null = null;
  #closed = false;
  /** Lost since the last connect: the next setup is a reconnect. */
  #lost = false;
  /** The node of the current or latest attempt, redacted, for the logs. */
  #node = '';
  /** Callers of addSetup waiting for the connection to come back (their hook runs on it first). */
  #waiting: Array<{ resolve: () => void; reject: (error: Error) => void }> = [];

  private constructor(private readonly options: AmqpConnectionOptions) {
    this.#logger = (options.logger ?? silentLogger).child({ connection: options.name });
  }

  static async open(options: AmqpConnectionOptions): Promise<AmqpConnection> {
    const connection = new AmqpConnection(options);
    await connection.#connect();
    return connection;
  }

  /**
   * Registers a hook and resolves once it has run on a live connection: now if connected,
   * otherwise after the reconnect (so a caller never uses a queue that is not declared yet).
   * Returns a function that unregisters it.
   */
  async addSetup(hook: SetupHook): Promise<() => void> {
    if (this.#closed) throw closedError();
    this.#hooks.add(hook);
    const model = this.#model;
    if (model) await runHook(hook, model).catch((error: unknown) => this.#failHook(hook, error));
    else await new Promise<void>((resolve, reject) => this.#waiting.push({ resolve, reject }));
    return () => this.#hooks.delete(hook);
  }

  /** The live channel model for one-off work, after a reconnect when there is none now. */
  async current(): Promise<ChannelModel> {
    const seen: { model?: ChannelModel } = {};
    const unregister = await this.addSetup((model) => Promise.resolve(void (seen.model = model)));
    unregister();
    if (!seen.model) throw closedError();
    return seen.model;
  }

  get connected(): boolean {
    return this.#model !== null;
  }

  get closed(): boolean {
    return this.#closed;
  }

  async close(): Promise<void> {
    const recovering = this.#recovering;
    this.#closed = true;
    this.#recovering = null;
    this.#model = null;
    this.#hooks.clear();
    for (const waiter of this.#waiting.splice(0)) waiter.reject(closedError());
    await recovering?.close().catch(() => undefined);
  }

  #failHook(hook: SetupHook, error: unknown): never {
    this.#hooks.delete(hook);
    throw error;
  }

  async #connect(): Promise<void> {
    const {
      url,
      name,
      heartbeatSeconds = 10,
      initialRetries = 5,
      connectTimeoutMs = CONNECT_TIMEOUT_MS,
    } = this.options;
    const rotation = new BrokerRotation(url);
    const pickUrl = (): string => {
      const next = rotation.take();
      this.#node = redactUrl(next);
      this.#logger.log('debug', 'connecting', { broker: this.#node });
      return withHeartbeat(next, heartbeatSeconds);
    };
    const tls = this.#tls(rotation.urls);
    // Not waiting inside connect: the listeners go on first, so the first attempts are logged too.
    const { model: recovering, refused } = await connectRecovering(
      pickUrl,
      rotation.urls.length,
      { ...tls, noDelay: true, timeout: connectTimeoutMs, clientProperties: { connection_name: name } },
      {
        initialMaxRetries: Math.max(initialRetries, rotation.urls.length - 1),
        maxDelay: RECONNECT_MAX_DELAY_MS,
        waitForConnect: false,
        setup: (model: ChannelModel) => this.#runHooks(model),
      },
    );
    this.#recovering = recovering;
    this.#watch(recovering);
    try {
      await recovering.waitForConnect();
    } catch (closed) {
      const error = refused() ?? closed;
      const tried = redactUrl(rotation.urls.join(';'));
      // OpenSSL's own text spans lines and names source files; the hint says what to change.
      const hint = tlsHint(error);
      const reason = hint ? `TLS: ${hint}` : (error as Error).message.replace(/\s*\n\s*/g, ' ').trim();
      throw new ConnectionError('BROKER_UNREACHABLE', `cannot connect to ${tried}: ${reason}`, { cause: error });
    }
  }

  /** The TLS socket options, with a loud line for what weakens them. */
  #tls(urls: readonly string[]): object {
    const given = this.options.tls;
    if (!given) return {};
    if (urls.some((url) => !url.startsWith('amqps:')))
      this.#logger.log('warn', 'TLS options are set but a broker URL is amqp://, which is not encrypted: use amqps://');
    if (given.insecureSkipVerify)
      this.#logger.log(
        'error',
        'TLS peer verification is OFF (insecureSkipVerify): any server is accepted as the broker',
      );
    return tlsSocketOptions(given);
  }

  async #runHooks(model: ChannelModel): Promise<void> {
    const { declare = 'auto' } = this.options;
    if (declare === false) declarePassively(model);
    else if (declare === 'auto') await probeDeclareRights(model, this.#logger);
    model.on('error', (error: Error) => this.#logger.log('warn', 'connection error', errorMeta(error)));
    // The live set, not a copy: a Set iterator also visits hooks added while these run, which
    // addSetup did not run itself (there was no model yet) and would otherwise wait a reconnect.
    for (const hook of this.#hooks) await runHook(hook, model);
    const reconnected = this.#lost;
    this.#model = model;
    this.#lost = false;
    for (const waiter of this.#waiting.splice(0)) waiter.resolve();
    if (reconnected) this.options.onStatusChange?.(true);
  }

  #watch(recovering: RecoveringChannelModel): void {
    // The first connect is the normal start (debug: a one-shot CLI command prints nothing); a
    // reconnect is news (info), with the node it reached.
    let connects = 0;
    recovering.on('connect', () =>
      this.#logger.log(connects++ === 0 ? 'debug' : 'info', 'connected', { broker: this.#node }),
    );
    recovering.on('disconnect', (error: Error) => this.#onDisconnect(error));
    recovering.on('connect-failed', (error: Error) =>
      this.#logger.log('warn', 'reconnect attempt failed', { broker: this.#node, ...errorMeta(error) }),
    );
    recovering.on('reconnect-failed', (error: Error) =>
      this.#logger.log('error', 'gave up reconnecting', errorMeta(error)),
    );
    recovering.on('blocked', (reason: string) => this.#logger.log('warn', 'broker blocked publishing', { reason }));
    recovering.on('unblocked', () => this.#logger.log('info', 'broker unblocked publishing'));
    recovering.on('error', (error: Error) => this.#logger.log('warn', 'connection error', errorMeta(error)));
    recovering.on('handler-error', (error: Error) => this.#logger.log('error', 'listener threw', errorMeta(error)));
  }

  #onDisconnect(error: Error): void {
    this.#model = null;
    this.#lost = true;
    if (!this.#closed) this.options.onStatusChange?.(false);
    this.#logger.log('warn', 'connection lost; reconnecting', { broker: this.#node, ...errorMeta(error) });
  }
}

/** Runs a hook, and once more if a 403 to one of its declarations just made the connection passive. */
async function runHook(hook: SetupHook, model: ChannelModel): Promise<void> {
  try {
    await hook(model);
  } catch (error) {
    if (!fallBackToPassive(model, error)) throw error;
    await hook(model);
  }
}

function closedError(): ConnectionError {
  return new ConnectionError('CONNECTION_CLOSED', 'the connection was closed');
}

/** amqplib reads the heartbeat only from the URL; a value the user put there wins. */
function withHeartbeat(url: string, seconds: number): string {
  if (/[?&]heartbeat=/.test(url)) return url;
  return `${url}${url.includes('?') ? '&' : '?'}heartbeat=${seconds}`;
}
