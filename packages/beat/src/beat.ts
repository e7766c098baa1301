import type { ScheduleCommand, ScheduleReply } from '@celeriac/protocol';
import { TypedEmitter, errorMeta, redactUrl, safeEmitter, type AnyCanvas } from '@celeriac/core';
import { AmqpConnection, ConfirmPublisher, LeaderLock, type AmqpChannelModel } from '@celeriac/amqp';
import { Client, type CanvasSendOptions } from '@celeriac/client';
import type { BeatEvents, EmitBeatEvent } from './beat-events.js';
import { BeatLoop } from './beat-loop.js';
import { compileBeatOptions, type BeatOptions, type CompiledBeatOptions } from './beat-options.js';
import { ControlConsumer } from './control.js';
import { ScheduleEditor } from './schedule-editor.js';
import type { StaticSchedule, StaticSet } from './static-schedule.js';
import { untilStoreAnswers } from './store-retry.js';

/**
 * INITIALIZED → STARTING → STANDBY ⇄ LEADING → STOPPING → STOPPED; FAILED if start() failed.
 * Only a LEADING beat fires schedules and answers schedule commands.
 */
export type BeatState = 'INITIALIZED' | 'STARTING' | 'STANDBY' | 'LEADING' | 'STOPPING' | 'STOPPED' | 'FAILED';

interface Runtime {
  /** The lock connection (short heartbeat); control commands and their replies use it too. */
  connection: AmqpConnection;
  publisher: ConfirmPublisher;
  lock: LeaderLock | null;
  /** Publishes fired tasks (confirmed), with no result backend. */
  client: Client;
}

/**
 * The periodic scheduler. Any number of beats may run against one broker and store: the one
 * holding the `celeriac.beat.leader` lock fires, the others wait as hot standbys and take over
 * within about a second of the leader's death. Every fire's task id is slotTaskId(name, slot).
 *
 * ```ts
 * const store = await openScheduleStore('file:./celeriac-schedule.json');
 * const beat = new Beat({ brokerUrl, store, schedules: [
 *   { name: 'report.hourly', task: 'reports.hourly', schedule: { kind: 'cron', expression: '0 * * * *', timezone: 'Europe/Warsaw' } },
 * ] });
 * beat.on('schedule:fired', ({ name, taskId }) => console.log(name, taskId));
 * await beat.start();
 * // ...
 * await beat.stop();
 * await store.close();
 * ```
 */
export class Beat extends TypedEmitter<BeatEvents> {
  /** The options as compiled; the static schedules are not kept here (see #statics). */
  readonly options: Omit<CompiledBeatOptions, 'schedules'>;
  /**
   * The static schedules until they are merged into the store, then null: 100,000 compiled
   * schedules are tens of MB the beat never reads again (the store and the loop hold their own).
   */
  #statics: StaticSet | null;
  readonly #loop: BeatLoop;
  readonly #editor: ScheduleEditor;
  /** A throwing listener is logged; it must never break the loop or the lock. */
  readonly #emit: EmitBeatEvent;
  #state: BeatState = 'INITIALIZED';
  #runtime: Runtime | null = null;
  #control: ControlConsumer | null = null;
  #starting: Promise<void> | null = null;
  #stopping: Promise<void> | null = null;

  constructor(options: BeatOptions) {
    super();
    const { schedules, ...compiled } = compileBeatOptions(options);
    this.options = compiled;
    this.#statics = schedules;
    const { store, logger } = this.options;
    const emit = (this.#emit = safeEmitter<BeatEvents>((event, ...args) => this.emit(event, ...args), logger));
    const sender = {
      sendTask: (...args: Parameters<Client['sendTask']>) => this.#client().sendTask(...args),
      send: (canvas: AnyCanvas, options: CanvasSendOptions) => this.#client().send(canvas, options),
    };
    this.#loop = new BeatLoop({
      store,
      logger,
      emit,
      sender,
      clock: Date.now,
      toleranceMs: this.options.tickToleranceMs,
    });
    this.#editor = new ScheduleEditor(store, this.#loop);
  }

  get state(): BeatState {
    return this.#state;
  }

  get isLeader(): boolean {
    return this.#state === 'LEADING';
  }

  /** Schedules in the loop's heap (enabled, with a future slot), loaded from the store when this beat starts leading. */
  get scheduledCount(): number {
    return this.#loop.scheduledCount;
  }

  /** Leading or standing by, on a live broker connection (what a liveness probe asks). */
  get healthy(): boolean {
    const up = this.#runtime?.connection.connected ?? false;
    return up && (this.#state === 'LEADING' || this.#state === 'STANDBY');
  }

  /**
   * Merges the static schedules into the store, connects, and starts competing for the lock.
   * Resolves once the first attempt is over: the beat is then STANDBY or LEADING (leading may
   * take a moment more while the store loads; 'leader:acquired' tells when it fires).
   */
  start(): Promise<void> {
    this.#starting ??= this.#start();
    return this.#starting;
  }

  /** Stops firing (fires already sent are recorded), releases the lock and closes connections. The store stays open. */
  stop(): Promise<void> {
    this.#stopping ??= this.#stop();
    return this.#stopping;
  }

  /**
   * Applies a schedule command in this process (as the control queue does on the leader): to
   * the store, and to the loop if this beat leads. For tools embedding a beat.
   */
  apply(command: ScheduleCommand): Promise<ScheduleReply> {
    return this.#editor.apply(command);
  }

  async #start(): Promise<void> {
    const { brokerUrl, logger } = this.options;
    this.#state = 'STARTING';
    logger.log('info', 'beat starting', { broker: redactUrl(brokerUrl) });
    // The broker connection opens while the store merges (neither waits for the other); the
    // lock is competed for only once the merge is in the store.
    const connecting = this.#connect();
    connecting.catch(() => undefined); // awaited below; not an unhandled rejection meanwhile
    try {
      await untilStoreAnswers(
        () => this.#mergeStatic(),
        logger,
        () => this.#stopping !== null,
      ).catch(async (error: unknown) => {
        await connecting.then(closeRuntime, () => undefined);
        throw error;
      });
      this.#runtime = await connecting;
      this.#state = 'STANDBY';
      this.#runtime.lock = await LeaderLock.start(
        this.#runtime.connection,
        { retryMs: this.options.lockRetryMs, logger, group: this.options.beatGroup },
        (lock) => this.#listen(lock),
      );
    } catch (error) {
      this.#state = 'FAILED';
      logger.log('error', 'beat failed to start', errorMeta(error));
      await this.#close();
      throw error;
    }
  }

  /**
   * Static schedules are added or updated; with pruneStatic, every other stored schedule goes
   * first. Skipped when the store says it holds this very merge already (StaticSet.digest).
   */
  async #mergeStatic(): Promise<void> {
    const statics = this.#statics;
    if (statics === null) return;
    if (statics.digest !== null && (await this.#merged(statics.digest))) {
      this.options.logger.log('info', 'static schedules unchanged since their last merge: not merged again');
    } else {
      await this.#merge(await statics.load(), statics.digest);
    }
    this.#statics = null; // only now: a merge retried after a store error needs them
  }

  async #merged(digest: string): Promise<boolean> {
    return (await this.options.store.staticDigest?.()) === digest;
  }

  async #merge(schedules: readonly StaticSchedule[], digest: string | null): Promise<void> {
    const { pruneStatic: prune, logger } = this.options;
    if (schedules.length === 0 && !prune && digest === null) return;
    const changed = await this.#editor.mergeStatic(schedules, { digest: digest ?? undefined, prune });
    logger.log('info', 'static schedules merged into the store', { static: schedules.length, changed });
  }

  async #connect(): Promise<Runtime> {
    const { brokerUrl: url, brokerTls, connectionName, lockHeartbeatSeconds, logger } = this.options;
    const connection = await AmqpConnection.open({
      url,
      tls: brokerTls ?? undefined,
      declare: this.options.declare,
      name: `${connectionName}:lock`,
      heartbeatSeconds: lockHeartbeatSeconds,
      logger,
    });
    const publisher = await ConfirmPublisher.create(connection, { logger, channelWaitMs: 5000 }).catch(
      async (error: unknown) => {
        await connection.close();
        throw error;
      },
    );
    return { connection, publisher, lock: null, client: new Client(this.options.client) };
  }

  #listen(lock: LeaderLock): void {
    lock.on('acquired', (model) => void this.#lead(lock, model).catch((error: unknown) => this.#abdicate(lock, error)));
    lock.on('lost', (reason) => this.#follow(reason));
  }

  /** Loads the store into the heap, then answers commands; checks after each step that the lock is still ours. */
  async #lead(lock: LeaderLock, model: AmqpChannelModel): Promise<void> {
    const runtime = this.#runtime;
    if (!runtime || this.#state !== 'STANDBY' || !lock.held) return;
    // The send connection opens while the store loads, not at the first fire. A failure here is
    // not fatal: the first send tries again (and a fire that cannot be sent is retried).
    runtime.client.connect().catch((error: unknown) => {
      this.options.logger.log('warn', 'could not open the send connection yet', errorMeta(error));
    });
    if (!(await this.#loop.load())) return;
    const control = await ControlConsumer.start({
      model,
      publisher: runtime.publisher,
      apply: (command) => this.#editor.apply(command),
      logger: this.options.logger,
      group: this.options.beatGroup,
      queueType: this.options.client.queueType ?? 'classic',
    });
    if (!lock.held || this.#state !== 'STANDBY') {
      await control.close(); // lost (or stopping) while loading: not ours to answer
      return;
    }
    this.#control = control;
    this.#state = 'LEADING';
    this.#emit('leader:acquired');
    // Armed only now: a slot due while the control queue was being set up fires as leader.
    this.#loop.run();
    this.options.logger.log('info', 'beat leading', { schedules: this.#loop.scheduledCount });
  }

  /** Holding the lock without leading would block every standby: give it up and compete again later. */
  async #abdicate(lock: LeaderLock, error: unknown): Promise<void> {
    this.options.logger.log(
      'error',
      'could not start leading (store or broker failed); releasing the leader lock',
      errorMeta(error),
    );
    await lock.release('could not start leading');
  }

  /** The lock is gone: stop firing now (synchronously), stop answering commands, wait as standby. */
  #follow(reason: string): void {
    void this.#loop.stop();
    const control = this.#control;
    this.#control = null;
    void control?.close();
    if (this.#state !== 'LEADING') return;
    this.#state = 'STANDBY';
    this.#emit('leader:lost', { reason });
  }

  async #stop(): Promise<void> {
    await this.#starting?.catch(() => undefined);
    const leading = this.#state === 'LEADING';
    this.#state = 'STOPPING';
    this.options.logger.log('info', 'beat stopping');
    await this.#loop.stop();
    await this.#control?.close();
    this.#control = null;
    // After the loop: a standby must not take over while this beat can still fire.
    await this.#close();
    if (leading) this.#emit('leader:lost', { reason: 'beat stopped' });
    this.#state = 'STOPPED';
    this.options.logger.log('info', 'beat stopped');
  }

  async #close(): Promise<void> {
    const runtime = this.#runtime;
    this.#runtime = null;
    if (runtime) await closeRuntime(runtime);
  }

  #client(): Client {
    const runtime = this.#runtime;
    if (!runtime) throw new Error('beat is not running');
    return runtime.client;
  }
}

async function closeRuntime(runtime: Runtime): Promise<void> {
  await runtime.lock?.stop();
  await runtime.connection.close();
  await runtime.client.close();
}
