/**
 * Sends a canvas as Celery's client does: frozen first (ids, reply queue, queues), then every
 * message its first step makes. A group over MongoDB is saved in `celery_groupmeta` so that
 * Python's GroupResult.restore reads it; a chord is a group saved with its size, whose tasks
 * carry the body in their embed: the worker that finishes the last of them sends the body once
 * (packages/worker canvas/chord-join.ts).
 */
import { randomUUID } from 'node:crypto';
import { Chord, InvalidArgumentError, type AnyCanvas, type GroupStore, type ResultReader } from '@celeriac/core';
import {
  canvasSends,
  chordUnlockSignature,
  encodeTask,
  groupSignature,
  signatureSend,
  type Signature,
  type SignatureSend,
} from '@celeriac/protocol';
import { publishAt, taskQueue, type ConfirmPublisher, type QueueType, type TaskQueueOptions } from '@celeriac/amqp';
import { AsyncResult } from './async-result.js';
import { freeze, handleOf, withLinks, type FreezeContext } from './canvas-freeze.js';
import { GroupResult } from './group-result.js';
import type { CompiledSendOptions } from './send-options.js';

export interface CanvasTransport {
  publisher: ConfirmPublisher;
  /** rpc:// replies: the reply queue is frozen into every task. */
  replyTo: string | null;
  reader: ResultReader | null;
  /** MongoDB: groups are saved, chords joined. */
  groups: GroupStore | null;
  origin: string;
  queues: Record<string, TaskQueueOptions>;
  queueType: QueueType;
  /** The queue of a task that names none. */
  route: FreezeContext['route'];
}

export const CHORD_NEEDS_STORE =
  'a chord needs a result backend that stores results (mongodb://): its header is joined in the ' +
  'backend, and rpc:// replies go to one client only (Celery refuses a chord over rpc:// too)';

export async function sendCanvas(
  transport: CanvasTransport,
  canvas: AnyCanvas,
  send: CompiledSendOptions,
  chordJoin: 'counter' | 'unlock' = 'counter',
): Promise<AsyncResult | GroupResult> {
  const context = { replyTo: transport.replyTo, route: transport.route };
  if (canvas instanceof Chord) return sendChord(transport, canvas, send, context, chordJoin);
  const sig = freeze(withLinks(canvas.toSignature(), send.link, send.linkError), context);
  if (sig.subtask_type === 'group' && transport.groups)
    await transport.groups.saveGroup(sig.options.task_id as string, partIds(sig));
  await publishAll(transport, canvasSends(sig, {}, randomUUID, new Date()));
  return handleOf(sig, transport.reader);
}

async function sendChord(
  transport: CanvasTransport,
  canvas: Chord<unknown>,
  send: CompiledSendOptions,
  context: FreezeContext,
  join: 'counter' | 'unlock',
): Promise<AsyncResult> {
  if (!transport.groups) throw new InvalidArgumentError(CHORD_NEEDS_STORE);
  const chordSig = canvas.toSignature();
  const header = freeze(groupSignature(chordSig.kwargs.header as Signature[]), context);
  const body = freeze(withLinks(chordSig.kwargs.body as Signature, send.link, send.linkError), context);
  if (body.subtask_type !== null) throw new InvalidArgumentError('the callback of a chord must be one task signature');
  const ids = partIds(header);
  const groupId = header.options.task_id as string;
  await transport.groups.saveGroup(groupId, ids, join === 'counter' ? ids.length : null);
  await publishAll(transport, canvasSends(header, { options: { chord: body } }, randomUUID, new Date()));
  if (join === 'unlock')
    await publishAll(transport, [
      signatureSend(chordUnlockSignature(groupId, ids, body, body.options.queue as string), {}, randomUUID, new Date()),
    ]);
  const members = ids.map((id) => new AsyncResult(id, transport.reader));
  return new AsyncResult(body.options.task_id as string, transport.reader, new GroupResult(groupId, members));
}

/** The ids a group's result is made of: each member's own, a chain's last step's. */
function partIds(group: Signature): string[] {
  const parts = group.kwargs.tasks as Signature[];
  return parts.map((part) => {
    if (part.subtask_type !== null)
      throw new InvalidArgumentError(
        'a group saved in the backend, or a chord header, must be made of task signatures',
      );
    return part.options.task_id as string;
  });
}

async function publishAll(transport: CanvasTransport, sends: readonly SignatureSend[]): Promise<void> {
  const { publisher, queues, queueType } = transport;
  const now = new Date();
  for (const { message, queue } of sends) {
    const { body, properties } = encodeTask({ ...message, origin: transport.origin }, now);
    const target = queue ?? transport.route(message.name);
    if (!publisher.queueReady(target)) await publisher.ensureQueue(taskQueue(target, queues[target], queueType));
    await publishAt(publisher, target, message.eta ?? null, body, properties);
  }
}
