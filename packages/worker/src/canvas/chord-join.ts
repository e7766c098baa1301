import {
  TaskState,
  valueRepr,
  type ExceptionInfo,
  type ResultMeta,
  type Signature,
  type TaskMessage,
} from '@celeriac/protocol';
import type { GroupStore, ResultReader, ResultWriter } from '@celeriac/core';
import type { WorkflowSender } from './workflow-sender.js';

/** What a chord join needs of the result backend: the group ids, the header's states, the body's state. */
export type ChordStore = GroupStore & Pick<ResultReader, 'latest'> & ResultWriter;

/** The header's states once all are read: still running, all succeeded, or the first failure. */
export type HeaderState =
  | { state: 'pending' }
  | { state: 'succeeded'; values: unknown[] }
  | { state: 'failed'; culprit: string; meta: ResultMeta };

/**
 * Joins a chord's header and sends its body, as Celery does: the body gets the list of the
 * header's results in order; if a header task failed, the body fails with a ChordError naming
 * it (`Dependency <id> raised ValueError('...')`) and its `link_error` callbacks are called.
 * Used by the counted join of Celeriac's own chords and by `celery.chord_unlock`.
 */
export class ChordJoin {
  constructor(
    private readonly store: ChordStore,
    private readonly sender: Pick<WorkflowSender, 'send' | 'afterFailure'>,
  ) {}

  /**
   * After a header task's state is stored: counted once in the chord's document; the task that
   * completes the count claims the body and sends it. Nothing for a group that is not a counted
   * chord (a Python chord joins through celery.chord_unlock).
   */
  async partDone(task: TaskMessage): Promise<void> {
    const body = task.embed.chord;
    if (!body || !task.group) return;
    const progress = await this.store.chordPartDone(task.group, task.id);
    if (!progress || progress.size === null || progress.fired || progress.done < progress.size) return;
    if (!(await this.store.claimChord(task.group))) return;
    try {
      const ids = (await this.store.restoreGroup(task.group)) ?? [];
      await this.finish(body, await this.headerState(ids), task);
    } catch (error) {
      await this.store.releaseChord(task.group);
      throw error;
    }
  }

  /** The header's results in order, or the first failed task, or pending while one is not ready. */
  async headerState(ids: readonly string[]): Promise<HeaderState> {
    const metas = await Promise.all(ids.map((id) => this.store.latest(id)));
    const values: unknown[] = [];
    for (const [index, meta] of metas.entries()) {
      if (!meta || !isReady(meta.status)) return { state: 'pending' };
      if (meta.status !== TaskState.SUCCESS) return { state: 'failed', culprit: ids[index] ?? '', meta };
      values.push(meta.result);
    }
    return { state: 'succeeded', values };
  }

  /** Sends the body with the results, or fails it with a ChordError. */
  async finish(body: Signature, header: HeaderState, parent: Pick<TaskMessage, 'id' | 'rootId'>): Promise<void> {
    if (header.state === 'pending') return;
    if (header.state === 'succeeded') {
      const options = { parent_id: parent.id, root_id: parent.rootId };
      return this.sender.send(body, { args: [header.values], options });
    }
    await this.#fail(body, `Dependency ${header.culprit} raised ${exceptionRepr(header.meta.result)}`);
  }

  /** Celery's chord_error_from_stack: the body's errbacks called, the body stored as FAILURE. */
  async #fail(body: Signature, reason: string): Promise<void> {
    const id = typeof body.options.task_id === 'string' ? body.options.task_id : null;
    if (id === null) return;
    const replyTo = typeof body.options.reply_to === 'string' ? body.options.reply_to : null;
    const error: ExceptionInfo = { exc_type: 'ChordError', exc_message: [reason], exc_module: 'celery.exceptions' };
    await this.store.store({
      taskId: id,
      state: TaskState.FAILURE,
      result: error,
      traceback: null,
      replyTo,
      correlationId: id,
    });
    const errbacks = Array.isArray(body.options.link_error) ? (body.options.link_error as Signature[]) : null;
    await this.sender.afterFailure({ id, rootId: id, embed: { callbacks: null, errbacks, chain: null, chord: null } });
  }
}

function isReady(state: string): boolean {
  return state === TaskState.SUCCESS || state === TaskState.FAILURE || state === TaskState.REVOKED;
}

/** Python's repr of a stored exception: `ValueError('boom')`. */
function exceptionRepr(result: unknown): string {
  const info = result as Partial<ExceptionInfo> | null;
  if (!info || typeof info.exc_type !== 'string') return valueRepr(result);
  const args = Array.isArray(info.exc_message) ? info.exc_message : [info.exc_message];
  return `${info.exc_type}(${args.map((arg) => valueRepr(arg)).join(', ')})`;
}
