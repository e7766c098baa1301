import { errorMeta, type Logger, type ResultWriter, type StateUpdate } from '@celeriac/core';
import { TaskState, type TaskMessage } from '@celeriac/protocol';
import type { TaskOutcome } from '../execution/task-outcome.js';

/** The part of a task message that says where its states go. */
export type ReplyAddress = Pick<TaskMessage, 'id' | 'replyTo' | 'correlationId'>;

/** Reports task states to the result backend (a no-op without one). */
export class TaskReporter {
  constructor(private readonly results: ResultWriter | null) {}

  /** Whether states go anywhere: without a backend, reporting needs no await at all. */
  get stores(): boolean {
    return this.results !== null;
  }

  /** Resolves once the backend holds the state; throws if it could not take it. */
  async store(
    task: ReplyAddress,
    state: StateUpdate['state'],
    result: unknown,
    traceback: string | null = null,
  ): Promise<void> {
    await this.results?.store({
      taskId: task.id,
      state,
      result,
      traceback,
      replyTo: task.replyTo,
      correlationId: task.correlationId,
    });
  }

  /** A handler's outcome as its state: a SUCCESS has no traceback, the others carry theirs. */
  async storeOutcome(task: ReplyAddress, outcome: TaskOutcome): Promise<void> {
    const traceback = outcome.state === TaskState.SUCCESS ? null : outcome.traceback;
    await this.store(task, outcome.state, outcome.result, traceback);
  }

  /** Best effort, for messages that are dead-lettered whether or not their caller can be told. */
  async tellCaller(task: ReplyAddress, state: StateUpdate['state'], exception: unknown, logger: Logger): Promise<void> {
    await this.store(task, state, exception).catch((error: unknown) => {
      logger.log('warn', 'could not report the state to the caller', { taskId: task.id, state, ...errorMeta(error) });
    });
  }
}
