/**
 * `celeriac.dead` from the outside: list, show, requeue and purge dead letters, selected by
 * reason code, task name, age or task id. Used by `celeriac dead` and the dashboard.
 *
 * A requeue publishes the message back to the queue it was taken from (its original headers,
 * no delivery count) and removes the dead letter only once the broker has confirmed the copy,
 * so a crash in between loses nothing: the dead letter is still there. Its copy may then have
 * run, and a second requeue would send the same task id again; a worker with a readable result
 * backend skips a task id that already succeeded (duplicate suppression).
 */
import type { GetMessage } from 'amqplib';
import { InvalidArgumentError, type Logger } from '@celeriac/core';
import {
  DEAD_LETTER_QUEUE,
  DEFAULT_EXCHANGE,
  QueueBrowser,
  copyProperties,
  type AmqpConnection,
  type ConfirmPublisher,
} from '@celeriac/amqp';
import { readDeadLetterInfo, requeuedHeaders, type DeadLetterInfo } from '@celeriac/protocol';

/** Which dead letters an operation applies to; every given criterion must match. */
export interface DeadLetterFilter {
  /** The reason code, e.g. `MAX_DELIVERIES`, `NOT_REGISTERED`. */
  code?: string;
  /** The task name in the message's headers. */
  task?: string;
  /** Dead-lettered at least this long ago. */
  olderThanMs?: number;
  /** Only these task ids. */
  taskIds?: readonly string[];
}

export interface DeadLetter extends DeadLetterInfo {
  taskId: string | null;
  task: string | null;
  headers: Record<string, unknown>;
  properties: Record<string, unknown>;
  body: Buffer;
}

export interface RequeueOutcome {
  requeued: string[];
  /** Dead letters left in place, with why (their queue is gone, the broker refused the copy). */
  failed: Array<{ taskId: string | null; error: string }>;
}

/** The most dead letters a list returns unless asked for more. */
export const DEFAULT_LIST_LIMIT = 100;

export class DeadLetterAdmin {
  constructor(
    private readonly transport: () => Promise<{ publishing: AmqpConnection; publisher: ConfirmPublisher }>,
    private readonly logger: Logger,
  ) {}

  /** Dead letters matching `filter`, oldest first, at most `limit`. Nothing is removed. */
  async list(filter: DeadLetterFilter = {}, limit = DEFAULT_LIST_LIMIT): Promise<DeadLetter[]> {
    checkFilter(filter);
    const found: DeadLetter[] = [];
    await this.#browse(filter, (letter) => {
      found.push(letter);
      return Promise.resolve(found.length < limit);
    });
    return found;
  }

  /** Sends matching dead letters back to their queues, each removed once its copy is confirmed. */
  async requeue(filter: DeadLetterFilter): Promise<RequeueOutcome> {
    checkFilter(filter);
    const outcome: RequeueOutcome = { requeued: [], failed: [] };
    const { publisher } = await this.transport();
    await this.#browse(filter, async (letter, settle) => {
      const error = await requeueOne(publisher, letter);
      if (error === null) settle();
      if (error === null) outcome.requeued.push(letter.taskId ?? '(no id)');
      else outcome.failed.push({ taskId: letter.taskId, error });
      return true;
    });
    if (outcome.failed.length > 0)
      this.logger.log('warn', 'some dead letters were not requeued', { failed: outcome.failed.length });
    return outcome;
  }

  /** Removes matching dead letters for good; returns how many. */
  async purge(filter: DeadLetterFilter): Promise<number> {
    checkFilter(filter);
    let removed = 0;
    await this.#browse(filter, (_letter, settle) => {
      settle();
      removed += 1;
      return Promise.resolve(true);
    });
    return removed;
  }

  /** Visits each matching dead letter once (up to the depth at the start); `visit` says whether to go on. */
  async #browse(
    filter: DeadLetterFilter,
    visit: (letter: DeadLetter, settle: () => void) => Promise<boolean>,
  ): Promise<void> {
    const { publishing } = await this.transport();
    const browser = await QueueBrowser.open(await publishing.current(), DEAD_LETTER_QUEUE);
    try {
      for (let seen = 0; seen < browser.depth; seen++) {
        const message = await browser.next();
        if (!message) break;
        const letter = readLetter(message);
        if (matches(letter, filter, Date.now()) && !(await visit(letter, () => browser.ack(message)))) break;
      }
    } finally {
      await browser.close();
    }
  }
}

async function requeueOne(publisher: ConfirmPublisher, letter: DeadLetter): Promise<string | null> {
  if (!letter.queue) return 'the dead letter does not say which queue it came from';
  try {
    await publisher.publish(DEFAULT_EXCHANGE, letter.queue, letter.body, {
      ...copyProperties(letter.properties),
      headers: requeuedHeaders(letter.headers),
      persistent: true,
    });
    return null;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

function readLetter(message: GetMessage): DeadLetter {
  const headers = (message.properties.headers ?? {}) as Record<string, unknown>;
  const text = (value: unknown) => (typeof value === 'string' ? value : null);
  return {
    ...readDeadLetterInfo(headers),
    taskId: text(headers.id),
    task: text(headers.task),
    headers,
    properties: { ...message.properties },
    body: message.content,
  };
}

function matches(letter: DeadLetter, filter: DeadLetterFilter, now: number): boolean {
  if (filter.code !== undefined && letter.code !== filter.code) return false;
  if (filter.task !== undefined && letter.task !== filter.task) return false;
  if (filter.taskIds !== undefined && !filter.taskIds.includes(letter.taskId ?? '')) return false;
  if (filter.olderThanMs === undefined) return true;
  return letter.at !== null && now - letter.at.getTime() >= filter.olderThanMs;
}

function checkFilter(filter: DeadLetterFilter): void {
  const { olderThanMs, taskIds } = filter;
  if (olderThanMs !== undefined && !(Number.isFinite(olderThanMs) && olderThanMs >= 0))
    throw new InvalidArgumentError('olderThanMs must be a number of milliseconds >= 0');
  if (taskIds !== undefined && !(Array.isArray(taskIds) && taskIds.every((id) => typeof id === 'string')))
    throw new InvalidArgumentError('taskIds must be a list of task ids');
}
