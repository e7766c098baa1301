import type { Options } from 'yargs';
import type { QueueType } from '@celeriac/amqp';

/**
 * `--queue-type` / CELERIAC_QUEUE_TYPE, shared by the commands that declare queues (worker, beat,
 * call, schedule): every declarer of a queue must name the same type, so all take it in the same words.
 */
export const QUEUE_TYPE_OPTION: Options = {
  type: 'string',
  requiresArg: true,
  choices: ['classic', 'quorum'],
  describe:
    "Type of the task queues, delay lanes, celeriac.dead and beat control queue this declares, as Celery 5.5's task_default_queue_type; every declarer must agree",
  defaultDescription: 'classic',
};

export const QUEUE_TYPES: readonly QueueType[] = ['classic', 'quorum'];
