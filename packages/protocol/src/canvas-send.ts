/**
 * What Celery's `apply_async` of any signature publishes, canvases included: a task is one
 * message; a group one message per task under one group id (`group`, `group_index`); a chain its
 * first task, carrying the rest in its embed's `chain`, last step first.
 */
import { ProtocolError } from './errors.js';
import { readSignatures, signatureSend, type SignatureCall, type SignatureSend } from './signature.js';
import type { Signature } from './task-message.js';

/** The messages `sig.apply_async(args, **options)` sends, in order. */
export function canvasSends(sig: Signature, call: SignatureCall, newId: () => string, now: Date): SignatureSend[] {
  if (sig.subtask_type === 'group') return groupSends(sig, call, newId, now);
  if (sig.subtask_type === 'chain') return chainSends(sig, call, newId, now);
  if (sig.subtask_type === null) return [signatureSend(sig, call, newId, now)];
  throw new ProtocolError(
    'SIGNATURE_INVALID',
    `a ${sig.subtask_type} signature cannot be sent by a worker (${sig.task}); only tasks, groups and chains`,
  );
}

/** Celery's group.apply_async: each task cloned with the partial args, frozen into one group. */
function groupSends(sig: Signature, call: SignatureCall, newId: () => string, now: Date): SignatureSend[] {
  const tasks = partsOf(sig);
  const groupId = typeof sig.options.task_id === 'string' ? sig.options.task_id : newId();
  const args = sig.immutable ? sig.args : [...(call.args ?? []), ...sig.args];
  // The group's own id names the group, not its first task.
  const { task_id: _groupId, ...options } = { ...sig.options, ...call.options };
  return tasks.flatMap((task, index) =>
    canvasSends(
      { ...task, options: { group_id: groupId, group_index: index, ...task.options } },
      { args, options },
      newId,
      now,
    ),
  );
}

/** Celery's chain.run: the first step is sent, the others travel with it in reverse order. */
function chainSends(sig: Signature, call: SignatureCall, newId: () => string, now: Date): SignatureSend[] {
  const [first, ...rest] = partsOf(sig);
  if (!first) return [];
  const chain = [...rest].reverse();
  const args = sig.immutable ? sig.args : [...(call.args ?? []), ...sig.args];
  return canvasSends(first, { args, options: { ...call.options, chain } }, newId, now);
}

function partsOf(sig: Signature): Signature[] {
  return readSignatures(sig.kwargs.tasks, `${sig.task}.kwargs.tasks`) ?? [];
}
