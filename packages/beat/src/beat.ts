import type { ScheduleCommand, ScheduleReply } from '@celeriac/protocol';
import { TypedEmitter, errorMeta, redactUrl, safeEmitter, type AnyCanvas, type PlannedEntry } from '@celeriac/core';
import { LeaderLock, type AmqpChannelModel } from '@celeriac/amqp';
import type { CanvasSendOptions, Client } from '@celeriac/client';
import type { BeatEvents, EmitBeatEvent } from './beat-events.js';
import { BeatLoop } from './beat-loop.js';
import { compileBeatOptions, type BeatOptions, type CompiledBeatOptions } from './beat-options.js';
import { closeRuntime, openRuntime, type Runtime } from './beat-runtime.js';
import { ControlConsumer } from './control.js';
import { ScheduleEditor } from './schedule-editor.js';
import { mergeStaticSet } from './static-merge.js';
import type { StaticSet } from './static-schedule.js';
import { StartMerge } from './start-merge.js';

/**
 * INITIALIZED → STARTING → STANDBY ⇄ LEADING → STOPPING → STOPPED; FAILED if start() failed.
 * Only a LEADING beat fires schedules and answers schedule commands.
 */
export type BeatState = 'INITIALIZED' | 'STARTING' | 'STANDBY' | 'LEADING' | 'STOPPING' | 'STOPPED' | 'FAILED';

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
  /** The static merge of this start; its listing is the first lead's while the merge is written. */
  #merge: StartMerge | null = null;

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
   * Resolves once the first attempt is over and the merge is durable: the beat is then STANDBY
   * or LEADING (leading may take a moment more while the store loads; 'leader:acquired' tells
   * when it fires). With a file store it may lead before: see start-merge.ts.
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
    // lock is competed for once the merge is in the store: applied, if not yet durable.
    const connecting = openRuntime(this.options);
    connecting.catch(() => undefined); // awaited below; not an unhandled rejection meanwhile
    try {
      const merge = (this.#merge = new StartMerge(
        (applied) => this.#mergeStatic(applied),
        logger,
        () => this.#stopping !== null,
      ));
      await merge.applied.catch(async (error: unknown) => {
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
      await merge.durable;
    } catch (error) {
      await this.#fail(error);
      throw error;
    }
  }

  /** The merge (static-merge.ts) of this beat's static schedules, which it then lets go. */
  async #mergeStatic(applied?: (listing: PlannedEntry[]) => void): Promise<void> {
    const statics = this.#statics;
    if (statics === null) return;
    await mergeStaticSet(statics, this.#editor, { ...this.options, applied });
    this.#statics = null; // only now: a merge retried after a store error needs them
  }

  /** A failed start stops what it began: a lead on a merge whose write failed fires no more. */
  async #fail(error: unknown): Promise<void> {
    const leading = this.#state === 'LEADING';
    this.#state = 'FAILED';
    this.options.logger.log('error', 'beat failed to start', errorMeta(error));
    await this.#halt();
    if (leading) this.#emit('leader:lost', { reason: 'beat failed to start' });
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
    if (!(await this.#loop.load(() => this.#merge?.take() ?? null))) return;
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
    await this.#halt();
    if (leading) this.#emit('leader:lost', { reason: 'beat stopped' });
    this.#state = 'STOPPED';
    this.options.logger.log('info', 'beat stopped');
  }

  /** Loop, then control queue, then connections: a standby must not take over while this beat can fire. */
  async #halt(): Promise<void> {
    await this.#loop.stop();
    await this.#control?.close();
    this.#control = null;
    await this.#close();
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
