import { MAX_REASON_CHARS, ProtocolError, TaskState, clip, type TaskMessage } from '@celeriac/protocol';
import { errorMeta, type Logger } from '@celeriac/core';
import type { Delivery } from '@celeriac/amqp';
import type { DeadLetterReason, DeadLetters } from './dead-letters.js';
import type { EmitWorkerEvent } from '../worker-events.js';
import { notRegisteredException, rejectionException } from './rejection-exceptions.js';
import { requeueLater } from './requeue-later.js';
import type { TaskReporter } from './task-reporter.js';

/** A name quoted in a log line or a reason: hostile input can make it any size. */
const QUOTED_NAME_CHARS = 200;

/**
 * Everything that ends a message without running it: undecodable messages, unregistered tasks,
 * and any gate that gives up on one. The caller is told when it can be, the message is moved to
 * `celeriac.dead` with its reason, and only then acknowledged.
 */
export class Rejector {
  constructor(
    private readonly deadLetters: DeadLetters,
    private readonly reporter: TaskReporter,
    private readonly emit: EmitWorkerEvent,
    private readonly logger: Logger,
  ) {}

  async undecodable(delivery: Delivery, error: unknown): Promise<void> {
    const reason = {
      code: error instanceof ProtocolError ? error.code : 'DECODE_FAILED',
      message: clip((error as Error).message ?? String(error), MAX_REASON_CHARS),
    };
    const identity = error instanceof ProtocolError ? error.identity : {};
    this.logger.log('error', 'dead-lettering a message that is not a valid task', {
      ...reason,
      taskId: identity.id,
      queue: delivery.queue,
    });
    if (identity.id && identity.replyTo && error instanceof ProtocolError) {
      const { id, replyTo, correlationId = id } = identity;
      await this.reporter.tellCaller(
        { id, replyTo, correlationId },
        TaskState.FAILURE,
        rejectionException(error),
        this.logger,
      );
    }
    await this.deadLetter(delivery, reason, identity.id ?? null);
  }

  async notRegistered(delivery: Delivery, task: TaskMessage): Promise<void> {
    const name = clip(task.name, QUOTED_NAME_CHARS);
    this.logger.log('error', 'received an unregistered task; it is answered NotRegistered and dead-lettered', {
      taskId: clip(task.id, QUOTED_NAME_CHARS),
      task: name,
    });
    await this.reporter.tellCaller(task, TaskState.FAILURE, notRegisteredException(task.name), this.logger);
    await this.deadLetter(
      delivery,
      { code: 'NOT_REGISTERED', message: `task ${name} is not registered on this worker` },
      task.id,
    );
  }

  /** Moves the message to `celeriac.dead`, then acks it; if the move fails it is requeued instead. */
  async deadLetter(delivery: Delivery, reason: DeadLetterReason, id: string | null): Promise<void> {
    try {
      await this.deadLetters.send(delivery, reason);
      delivery.ack();
      const { queue } = delivery;
      this.emit('message:dead-lettered', {
        queue,
        task: taskHeader(delivery),
        reason: reason.message,
        code: reason.code,
        id,
      });
    } catch (error) {
      this.logger.log('error', 'could not dead-letter a message; it goes back to the queue', {
        ...reason,
        ...errorMeta(error),
      });
      requeueLater(delivery);
    }
  }
}

/** The `task` header, if the message has a usable one (a dead letter may be any bytes). */
function taskHeader(delivery: Delivery): string | null {
  const task: unknown = delivery.message.properties.headers?.task;
  return typeof task === 'string' ? clip(task, QUOTED_NAME_CHARS) : null;
}
