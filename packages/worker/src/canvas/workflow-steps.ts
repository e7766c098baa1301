import { errorMeta } from '@celeriac/core';
import { ProtocolError, type TaskMessage } from '@celeriac/protocol';
import type { Job } from '../job.js';
import { requeueLater } from '../settle/requeue-later.js';
import type { WorkflowSender } from './workflow-sender.js';

/** What the delivery processor asks of canvas/ once a task has ended. */
export interface Workflow extends Pick<WorkflowSender, 'afterSuccess' | 'afterFailure'> {
  /** Once the state is stored: a chord's header task counts itself done (chord-join.ts). */
  afterStored?(task: TaskMessage): Promise<void>;
}

const NO_WORKFLOW: Workflow = {
  afterSuccess: () => Promise.resolve(),
  afterFailure: () => Promise.resolve(),
};

/**
 * The workflow steps of settling a task, each with its failure policy: what must reach the
 * broker before the ack (the next step, a chord's join) sends the message back to the queue
 * when it could not; errbacks are best effort, as in Celery.
 */
export class WorkflowSteps {
  constructor(private readonly workflow: Workflow = NO_WORKFLOW) {}

  /**
   * False (and the message requeued, to run again) when the broker did not take the next step. A
   * next step that can never be sent (a signature this worker cannot send) is logged and dropped:
   * running the task again would not change that.
   */
  sendNext(job: Job, result: unknown): boolean | Promise<boolean> {
    const { callbacks, chain } = job.task.embed;
    // Most tasks have no next step: answered at once, without a promise to await.
    return callbacks?.length || chain?.length ? this.#sendNext(job, result) : true;
  }

  async #sendNext(job: Job, result: unknown): Promise<boolean> {
    try {
      await this.workflow.afterSuccess(job.task, result);
      return true;
    } catch (error) {
      if (error instanceof ProtocolError) {
        job.logger.log(
          'error',
          'the next step of the workflow cannot be sent; the workflow ends here',
          errorMeta(error),
        );
        return true;
      }
      job.logger.log('error', 'could not send the next step of the workflow; the task goes back to the queue', {
        ...errorMeta(error),
      });
      requeueLater(job.delivery);
      return false;
    }
  }

  /** A chord's header task, once its state is stored; false (and the message requeued) if the join failed. */
  joinChord(job: Job): boolean | Promise<boolean> {
    return job.task.embed.chord && this.workflow.afterStored ? this.#joinChord(job) : true;
  }

  async #joinChord(job: Job): Promise<boolean> {
    try {
      await this.workflow.afterStored?.(job.task);
      return true;
    } catch (error) {
      job.logger.log('error', 'could not join the chord; the task goes back to the queue', errorMeta(error));
      requeueLater(job.delivery);
      return false;
    }
  }

  /** Best effort, as Celery: the failure is stored whether or not its errbacks could be sent. */
  async sendErrbacks(job: Job): Promise<void> {
    await this.workflow
      .afterFailure(job.task)
      .catch((error: unknown) => job.logger.log('error', 'could not send the link_error callbacks', errorMeta(error)));
  }
}
