import type { Delivery } from '@celeriac/amqp';
import { silentLogger } from '@celeriac/core';
import { decodeTask, encodeTask, type TaskMessageInput } from '@celeriac/protocol';
import type { Job } from '../job.js';
import { TaskRegistry, type TaskOptions } from '../task-registry.js';
import { TaskAbort } from '../execution/task-abort.js';

/** A job as the processor hands it to gates, with a delivery that records how it was settled. */
export function fakeJob(
  input: Partial<TaskMessageInput> = {},
  options: TaskOptions = {},
  extra: { priority?: number; headers?: Record<string, unknown> } = {},
) {
  const settled: string[] = [];
  const { body, properties } = encodeTask({ id: 'task-1', name: 'tasks.x', args: [1], replyTo: 'reply-q', ...input });
  const withExtra = {
    ...properties,
    ...(extra.priority === undefined ? {} : { priority: extra.priority }),
    headers: { ...properties.headers, ...extra.headers },
  };
  const message = {
    content: body,
    properties: withExtra,
    fields: { redelivered: false, routingKey: 'q', deliveryTag: 1, exchange: '', consumerTag: 'c' },
  };
  const delivery = {
    message,
    queue: 'q',
    ack: () => settled.push('ack'),
    requeue: () => settled.push('requeue'),
    orphaned: () => false,
  } as unknown as Delivery;
  const registered = new TaskRegistry().register('tasks.x', () => null, options).get('tasks.x')!;
  const job: Job = {
    delivery,
    task: decodeTask(message),
    registered,
    logger: silentLogger,
    abort: new TaskAbort(),
  };
  return { job, settled };
}
