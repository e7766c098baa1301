import { hostname } from 'node:os';
import { encodeTask, taskSentFields, type TaskMessageInput } from '@celeriac/protocol';
import {
  Canvas,
  InvalidArgumentError,
  randomId,
  type ResultReader,
  type AnyCanvas,
  assertTaskName,
  type ArgsOf,
  type ResultOf,
  type TaskContract,
} from '@celeriac/core';
import { type ConfirmPublisher, publishAt, purgeQueue, taskQueue } from '@celeriac/amqp';
import { AsyncResult } from './async-result.js';
import { closeTransport, openTransport, type Transport } from './client-transport.js';
import { routeCallbacks } from './canvas-freeze.js';
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
import { compileSendOptions, taskInput, type CompiledSendOptions, type SendOptions } from './send-options.js';
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

  constructor(options: ClientOptions = {}) {
    this.options = compileClientOptions(options);
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
    return this.#publish(target.name, second as readonly unknown[], {}, options);
  }

  /** Sends a task by name, e.g. one that only a Python worker implements. */
  sendTask<T = unknown>(
    name: string,
    args: readonly unknown[] = [],
    kwargs: Record<string, unknown> = {},
    options: SendOptions = {},
  ): Promise<AsyncResult<T>> {
    return this.#publish<T>(name, args, kwargs, options);
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

  /** Not async: a bad name or option rejects, as from an async function, without its frame per send. */
  #publish<T>(
    name: string,
    args: readonly unknown[],
    kwargs: Record<string, unknown>,
    options: SendOptions,
  ): Promise<AsyncResult<T>> {
    try {
      checkTaskName(name);
      checkArguments(args, kwargs);
      const now = new Date();
      const send = this.#routedLinks(compileSendOptions(options, now));
      const open = this.#open;
      // Open, and no reply queue to wait for: a burst of sends holds one promise and callback each.
      if (open && !open.results) return this.#sendOn<T>(open, { name, args, kwargs, send, now }, null);
      return this.#connectThenSend<T>({ name, args, kwargs, send, now });
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  }

  async #connectThenSend<T>(task: OutgoingTask): Promise<AsyncResult<T>> {
    const transport = this.#open ?? (await this.#connect());
    const replyTo = transport.results ? await transport.results.replyTo() : null;
    return this.#sendOn<T>(transport, task, replyTo);
  }

  #sendOn<T>(transport: Transport, task: OutgoingTask, replyTo: string | null): Promise<AsyncResult<T>> {
    const { name, args, kwargs, send, now } = task;
    const id = send.taskId ?? randomId();
    // Celery's order: the send's own queue, then the routes, then the default queue.
    const queue = send.queue ?? this.options.router(name) ?? this.options.defaultQueue;
    const input = taskInput({ id, name, args, kwargs, origin: this.#origin, replyTo }, send);
    const confirmed = this.#publishTask(transport.publisher, queue, input, send.eta, now);
    const reader = transport.results ?? transport.stored ?? null;
    const { events } = transport;
    if (events) return confirmed.then(() => sentEvent(events, input, queue, id, reader));
    return resultOnConfirm(confirmed, id, reader);
  }

  /**
   * Encodes and publishes; resolves on the broker's confirm. Not inline in #publish: a local of
   * an async function lives until it resumes, and the message's body and headers (~2 KB) were
   * then kept for every send awaiting its confirm: 100 MB more at 40,000 in flight, and the GC it costs.
   */
  #publishTask(publisher: ConfirmPublisher, queue: string, input: TaskMessageInput, eta: Date | null, now: Date) {
    // The same `now` as the expires: Celery's expiration for expires=60 is exactly "60000".
    const { body, properties } = encodeTask(input, now);
    const { queues, queueType } = this.options;
    // A second or more ahead goes through the delay lanes, so no worker ever holds it unacked.
    if (publisher.queueReady(queue)) return publishAt(publisher, queue, eta, body, properties);
    return publisher
      .ensureQueue(taskQueue(queue, queues[queue], queueType))
      .then(() => publishAt(publisher, queue, eta, body, properties));
  }

  /** Callbacks are sent by a worker, which knows neither this client's routes nor its default queue. */
  #routedLinks(send: CompiledSendOptions): CompiledSendOptions {
    if (send.link.length === 0 && send.linkError.length === 0) return send;
    const route = (task: string) => this.options.router(task) ?? this.options.defaultQueue;
    return { ...send, link: routeCallbacks(send.link, route), linkError: routeCallbacks(send.linkError, route) };
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

/**
 * Not an arrow in #sendOn: a closure keeps its maker's whole scope, and the message's input was
 * then kept for every send awaiting its confirm.
 */
function resultOnConfirm<T>(
  confirmed: Promise<void>,
  id: string,
  reader: ResultReader | null,
): Promise<AsyncResult<T>> {
  return confirmed.then(() => new AsyncResult<T>(id, reader));
}

function sentEvent<T>(
  events: NonNullable<Transport['events']>,
  input: TaskMessageInput,
  queue: string,
  id: string,
  reader: ResultReader | null,
): AsyncResult<T> {
  events.dispatcher.send('task-sent', taskSentFields(input, { queue, exchange: '', routingKey: queue }));
  return new AsyncResult<T>(id, reader);
}

/** A send checked and compiled, before it has a connection to go out on. */
interface OutgoingTask {
  name: string;
  args: readonly unknown[];
  kwargs: Record<string, unknown>;
  send: CompiledSendOptions;
  now: Date;
}

/** A bad name is a bad call input like any other: InvalidArgumentError, not core's TypeError. */
function checkTaskName(name: unknown): void {
  try {
    assertTaskName(name);
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
}

function checkArguments(args: unknown, kwargs: unknown): void {
  if (!Array.isArray(args)) throw new InvalidArgumentError('task args must be an array');
  if (typeof kwargs !== 'object' || kwargs === null || Array.isArray(kwargs))
    throw new InvalidArgumentError('task kwargs must be an object');
}
