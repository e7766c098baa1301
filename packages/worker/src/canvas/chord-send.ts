/**
 * A chord that a worker sends itself, as the next step of a chain (Python turns
 * `a | group(b, c) | d` into `a | chord([b, c], d)`): Celery's chord.run over a backend without
 * native joins. The header is saved as a group and sent with the body in each task's `chord`;
 * `celery.chord_unlock` then polls it from the body's queue, since any worker, Python or
 * Celeriac, may run the header tasks.
 */
import {
  ProtocolError,
  chordUnlockSignature,
  groupSignature,
  readSignature,
  readSignatures,
  type Signature,
  type SignatureCall,
} from '@celeriac/protocol';
import { randomId, type GroupStore } from '@celeriac/core';

/** The group and the unlock task to send for `chord.apply_async(args, **options)`. */
export interface ChordPlan {
  header: Signature;
  call: SignatureCall;
  unlock: Signature;
}

/** Saves the header group and plans its sends; refused without a store, as Celery refuses it over rpc://. */
export async function planChord(
  sig: Signature,
  call: SignatureCall,
  groups: GroupStore | null,
  defaultQueue: string,
): Promise<ChordPlan> {
  if (!groups)
    throw new ProtocolError('SIGNATURE_INVALID', 'a chord needs a result backend that stores results (mongodb://)');
  const { chain, ...options } = call.options ?? {};
  const body = frozen(readSignature(sig.kwargs.body, 'chord.body'), chain);
  const header = headerOf(sig.kwargs.header);
  const groupId = typeof header.options.task_id === 'string' ? header.options.task_id : randomId();
  const members = (readSignatures(header.kwargs.tasks, 'chord.header') ?? []).map((member) => frozen(member));
  const ids = members.map((member) => member.options.task_id as string);
  await groups.saveGroup(groupId, ids);
  const queue = typeof body.options.queue === 'string' ? body.options.queue : defaultQueue;
  return {
    header: groupSignature(members, { task_id: groupId }),
    call: { args: call.args ?? [], options: { ...options, chord: body } },
    unlock: chordUnlockSignature(groupId, ids, body, queue),
  };
}

/** Python sends the header as a group signature, or as the list of its tasks. */
function headerOf(value: unknown): Signature {
  if (Array.isArray(value)) return groupSignature(readSignatures(value, 'chord.header') ?? []);
  return readSignature(value, 'chord.header');
}

/** A task id of its own, and the rest of the chain to carry on with (the body's). */
function frozen(sig: Signature, chain?: unknown): Signature {
  const options = { task_id: randomId(), ...sig.options, ...(chain === undefined ? {} : { chain }) };
  return { ...sig, options };
}
