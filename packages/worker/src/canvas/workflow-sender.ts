import { randomUUID } from 'node:crypto';
import { canvasSends, encodeTask, type Signature, type SignatureCall, type TaskMessage } from '@celeriac/protocol';
import type { GroupStore } from '@celeriac/core';
import { publishAt, taskQueue, type ConfirmPublisher, type QueueType, type TaskQueueOptions } from '@celeriac/amqp';
import { planChord } from './chord-send.js';

export interface WorkflowSenderOptions {
  /** The `origin` header of what this worker sends: its node name. */
  origin: string;
  /** Where a signature that names no queue goes: Celery's task_default_queue. */
  defaultQueue: string;
  queueOptions: Record<string, TaskQueueOptions>;
  queueType: QueueType;
  /** The backend's groups, for a chord sent as a chain's next step. @default none: such a chord is refused */
  groups?: GroupStore | null;
}

/**
 * Sends what a finished task's embed asks for, as Celery's tracer does: on success its
 * `callbacks` (`link`), then the next step of its `chain`, each with the result as first
 * argument; on failure its `errbacks` (`link_error`) as one group, with the failed task's id.
 */
export class WorkflowSender {
  constructor(
    private readonly publisher: ConfirmPublisher,
    private readonly options: WorkflowSenderOptions,
  ) {}

  /** Celery's _dispatch_callbacks_and_chain; throws when the broker did not take a message. */
  async afterSuccess(task: TaskMessage, result: unknown): Promise<void> {
    const call = { args: [result], options: { parent_id: task.id, root_id: task.rootId } };
    const { callbacks, chain } = task.embed;
    if (callbacks?.length === 1 && callbacks[0]) await this.send(callbacks[0], call);
    else if (callbacks && callbacks.length > 1) await this.#sendMany(callbacks, call);
    const next = chain?.at(-1);
    if (chain && next) await this.send(next, { ...call, options: { ...call.options, chain: chain.slice(0, -1) } });
  }

  /** Celery's _call_task_errbacks for errbacks it cannot call in-process: a group called with the task id. */
  async afterFailure(task: Pick<TaskMessage, 'id' | 'rootId' | 'embed'>): Promise<void> {
    const errbacks = task.embed.errbacks;
    if (!errbacks?.length) return;
    await this.send(groupOf(errbacks), { args: [task.id], options: { parent_id: task.id, root_id: task.rootId } });
  }

  /** Several callbacks: each group alone, the other signatures together as one group. */
  async #sendMany(callbacks: readonly Signature[], call: SignatureCall): Promise<void> {
    const groups = callbacks.filter((sig) => sig.subtask_type === 'group');
    for (const group of groups) await this.send(group, call);
    const others = callbacks.filter((sig) => sig.subtask_type !== 'group');
    if (others.length) await this.send(groupOf(others), call);
  }

  /** `sig.apply_async(args, **options)`: every message it makes, to the queues they name. */
  async send(sig: Signature, call: SignatureCall): Promise<void> {
    if (sig.subtask_type === 'chord') return this.#sendChord(sig, call);
    const now = new Date();
    for (const { message, queue: named } of canvasSends(sig, call, randomUUID, now)) {
      const queue = named ?? this.options.defaultQueue;
      const { body, properties } = encodeTask({ ...message, origin: this.options.origin }, now);
      if (!this.publisher.queueReady(queue))
        await this.publisher.ensureQueue(taskQueue(queue, this.options.queueOptions[queue], this.options.queueType));
      await publishAt(this.publisher, queue, message.eta ?? null, body, properties);
    }
  }

  /** Celery's chord.run over MongoDB: the header with the body in each task, then celery.chord_unlock. */
  async #sendChord(sig: Signature, call: SignatureCall): Promise<void> {
    const plan = await planChord(sig, call, this.options.groups ?? null, this.options.defaultQueue);
    await this.send(plan.header, plan.call);
    await this.send(plan.unlock, {});
  }
}

/** `group(signatures)` as Celery serialises it. */
function groupOf(tasks: readonly Signature[]): Signature {
  return { task: 'celery.group', args: [], kwargs: { tasks }, options: {}, subtask_type: 'group', immutable: false };
}
