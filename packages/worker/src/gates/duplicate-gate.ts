/**
 * Tasks that already succeeded are not run again. With a storing result backend (MongoDB), a
 * redelivered message (its worker died after the SUCCESS was stored, before the ack) or a
 * duplicate send (two beats firing one slot, a producer retrying a publish) finds its id already
 * SUCCESS: it is acked without running, and the stored result stays as it is. A chord's header
 * task counts itself first (its worker may have died between storing and counting; counting is
 * idempotent), so the chord is not left one short.
 */
import { TaskState } from '@celeriac/protocol';
import { errorMeta, type ResultReader } from '@celeriac/core';
import type { Job } from '../job.js';
import type { Gate } from './gate.js';

export const DUPLICATE_LOG_MESSAGE = 'duplicate of a task that already succeeded; acknowledged without running it';

export class DuplicateGate implements Gate {
  constructor(
    private readonly results: Pick<ResultReader, 'latest'>,
    /** False when the join failed and the message went back to the queue. */
    private readonly joinChord: (job: Job) => Promise<boolean> = () => Promise.resolve(true),
  ) {}

  async admit(job: Job): Promise<'run' | 'settled'> {
    if (!(await this.#succeeded(job))) return 'run';
    job.logger.log('info', DUPLICATE_LOG_MESSAGE);
    if (job.task.embed.chord && !(await this.joinChord(job))) return 'settled';
    job.delivery.ack();
    return 'settled';
  }

  /** A store that cannot answer must not lose the task: it runs (at least once, as without the check). */
  async #succeeded(job: Job): Promise<boolean> {
    try {
      return (await this.results.latest(job.task.id))?.status === TaskState.SUCCESS;
    } catch (error) {
      job.logger.log('warn', 'could not check the result store for a duplicate; running the task', errorMeta(error));
      return false;
    }
  }
}
