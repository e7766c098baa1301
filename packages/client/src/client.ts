import { hostname } from 'node:os';
import {
  Canvas,
  InvalidArgumentError,
  type AnyCanvas,
  type ArgsOf,
  type ResultOf,
  type TaskContract,
} from '@celeriac/core';
import { type ConfirmPublisher, purgeQueue } from '@celeriac/amqp';
import { AsyncResult } from './async-result.js';
import { closeTransport, openTransport, type Transport } from './client-transport.js';
import { sendCanvas } from './canvas-sender.js';
import type { CanvasHandle, CanvasSendOptions } from './canvas-handle.js';
import { GroupResult } from './group-result.js';
import {
  ControlBroadcaster,
  revokeArguments,
  type AskOptions,
  type ControlReplies,
  type RevokeOptions,
} from './control.js';
import { compileClientOptions, type ClientOptions, type CompiledClientOptions } from './client-options.js';
import { compileSendOptions, type SendOptions } from './send-options.js';
import { TaskSender } from './task-sender.js';
import { ScheduleClient } from './schedules.js';
import { DeadLetterAdmin } from './dead-letters.js';

/**
 * Sends tasks and reads their results. Connects on first use: one connection publishes (with
 * confirms), another consumes rpc:// replies, so a broker that blocks publishers never stalls
 * result delivery.
 *
 * ```ts
 * const client = new Client({ brokerUrl });
 * const result = await client.send(add, [2, 3]);
 * await result.get({ timeoutMs: 10_000 }); // 5
 * ```
 */
export class Client {
  readonly options: CompiledClientOptions;
  readonly #origin = `gen${process.pid}@${hostname()}`;
  #transport: Promise<Transport> | null = null;
  /** The transport once open: a send then needs no await to reach it (one promise and microtask less per send). */
  #open: Transport | null = null;
  /** Remote-control broadcasting, per publishing connection. */
  readonly #control = new WeakMap<ConfirmPublisher, ControlBroadcaster>();
  #schedules: ScheduleClient | null = null;
  #deadLetters: DeadLetterAdmin | null = null;

  readonly #tasks: TaskSender;

  constructor(options: ClientOptions = {}) {
    this.options = compileClientOptions(options);
    this.#tasks = new TaskSender(this.options, this.#origin, {
      open: () => this.#open,
      connect: () => this.#connect(),
    });
  }

  /**
   * Sends a canvas (a signature, chain or group) built with `add.s()`, chain(), group(); resolves
   * once the broker has its first messages. A chain's result is its last step's, with `parent`
   * going back; a group's is a GroupResult.
   */
  send<C extends AnyCanvas>(canvas: C, options?: CanvasSendOptions): Promise<CanvasHandle<C>>;
  /** Sends a task through its typed contract; resolves once the broker has confirmed it. */
  send<C extends TaskContract<readonly unknown[], unknown>>(
    contract: C,
    args: ArgsOf<C>,
    options?: SendOptions,
  ): Promise<AsyncResult<ResultOf<C>>>;
  send(
    target: AnyCanvas | TaskContract<readonly unknown[], unknown>,
    second?: readonly unknown[] | CanvasSendOptions,
    options: SendOptions = {},
  ): Promise<AsyncResult | GroupResult> {
    if (target instanceof Canvas) return this.#sendCanvas(target, (second ?? {}) as CanvasSendOptions);
    return this.#tasks.send(target.name, second as readonly unknown[], {}, options);
  }

  /** Sends a task by name, e.g. one that only a Python worker implements. */
  sendTask<T = unknown>(
    name: string,
    args: readonly unknown[] = [],
    kwargs: Record<string, unknown> = {},
    options: SendOptions = {},
  ): Promise<AsyncResult<T>> {
    return this.#tasks.send<T>(name, args, kwargs, options);
  }

  /** A handle on a task sent earlier by this client. */
  async result<T = unknown>(taskId: string): Promise<AsyncResult<T>> {
    const { results, stored } = await this.#connect();
    return new AsyncResult<T>(taskId, results ?? stored ?? null);
  }

  /**
   * Revokes tasks on every worker, as Python's `app.control.revoke`: a worker that receives one
   * of them later discards it (REVOKED); with `terminate`, a running one is aborted too. Workers
   * remember revoked ids for 3 hours, and a worker started later learns them from the others (mingle).
   */
  async revoke(taskIds: string | readonly string[], options: RevokeOptions = {}): Promise<void> {
    const args = revokeArguments(taskIds, options);
    await (await this.#broadcaster()).broadcast('revoke', args);
  }

  /**
   * Sends a remote-control command to the workers (Celeriac and Python alike) and collects their
   * replies by node name, as `app.control.inspect()` and `broadcast(..., reply=True)` do:
   * `await client.control('active')`, `await client.control('rate_limit', { task_name, rate_limit: '10/s' })`.
   */
  async control(method: string, args: Record<string, unknown> = {}, options: AskOptions = {}): Promise<ControlReplies> {
    return (await this.#broadcaster()).ask(method, args, options);
  }

  async #broadcaster(): Promise<ControlBroadcaster> {
    const { publishing, publisher } = await this.#connect();
    let control = this.#control.get(publisher);
    if (!control)
      this.#control.set(publisher, (control = new ControlBroadcaster(publishing, publisher, this.options.logger)));
    return control;
  }

  /**
   * Runtime edits of the leading beat's schedules (add, update, remove, enable, disable, list),
   * answered over this client's rpc reply queue; no beat restart.
   */
  get schedules(): ScheduleClient {
    this.#schedules ??= new ScheduleClient(() => this.#connect(), this.options.beatGroup, this.options.queueType);
    return this.#schedules;
  }

  /** `celeriac.dead`: list, requeue and purge dead letters (no worker needed). */
  get deadLetters(): DeadLetterAdmin {
    this.#deadLetters ??= new DeadLetterAdmin(() => this.#connect(), this.options.logger);
    return this.#deadLetters;
  }

  /**
   * Removes every ready message from each queue (as `celery purge`); returns how many per queue.
   * A queue that does not exist is an error, not created.
   */
  async purge(queues: readonly string[]): Promise<Record<string, number>> {
    const { publishing } = await this.#connect();
    const model = await publishing.current();
    const purged: Record<string, number> = {};
    for (const queue of queues) purged[queue] = await purgeQueue(model, queue);
    return purged;
  }

  /**
   * Opens the broker connection now rather than at the first send, e.g. while other start-up work
   * runs (a beat loading its schedules): the first send then only publishes. Optional.
   */
  async connect(): Promise<void> {
    await this.#connect();
  }

  async close(): Promise<void> {
    const transport = this.#transport;
    this.#transport = null;
    this.#open = null;
    if (transport) await closeTransport(transport);
  }

  async #sendCanvas(canvas: AnyCanvas, options: CanvasSendOptions): Promise<AsyncResult | GroupResult> {
    const send = compileSendOptions(options, new Date());
    const { publisher, results, stored } = await this.#connect();
    const { queues, queueType, router, defaultQueue } = this.options;
    return sendCanvas(
      {
        publisher,
        replyTo: results ? await results.replyTo() : null,
        reader: results ?? stored ?? null,
        groups: stored ?? null,
        origin: this.#origin,
        queues,
        queueType,
        route: (task) => send.queue ?? router(task) ?? defaultQueue,
      },
      canvas,
      send,
      options.chordJoin,
    );
  }

  /** A group's results saved in the backend (MongoDB's celery_groupmeta), e.g. by Python's `GroupResult.save()`. */
  async groupResult<T extends readonly unknown[] = unknown[]>(groupId: string): Promise<GroupResult<T> | null> {
    const { stored } = await this.#connect();
    if (!stored) throw new InvalidArgumentError('group results are stored only with a mongodb:// result backend');
    const ids = await stored.restoreGroup(groupId);
    return ids
      ? new GroupResult<T>(
          groupId,
          ids.map((id) => new AsyncResult(id, stored)),
        )
      : null;
  }

  #connect(): Promise<Transport> {
    if (this.#transport) return this.#transport;
    const opening = openTransport(this.options, this.#origin);
    this.#transport = opening;
    opening.then(
      (transport) => this.#transport === opening && (this.#open = transport),
      // A failed start is forgotten, so the next send tries again.
      () => this.#transport === opening && (this.#transport = null),
    );
    return opening;
  }
}
