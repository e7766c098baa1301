/**
 * Canvas signatures as Celery serialises them (celery/canvas.py): a task is a plain signature; a
 * chain, a group and a chord are signatures of Celery's built-in tasks with their parts in
 * `kwargs` and a `subtask_type` naming the canvas.
 */
import type { Signature } from './task-message.js';

/** `signature(task, args, kwargs, options, immutable=...)`. */
export function taskSignature(
  task: string,
  args: readonly unknown[],
  kwargs: Readonly<Record<string, unknown>>,
  options: Readonly<Record<string, unknown>>,
  immutable: boolean,
): Signature {
  return { task, args: [...args], kwargs: { ...kwargs }, options: { ...options }, subtask_type: null, immutable };
}

/** `chain(*tasks)`: `celery.chain` with `kwargs.tasks`. */
export function chainSignature(
  tasks: readonly Signature[],
  options: Readonly<Record<string, unknown>> = {},
): Signature {
  return canvas('celery.chain', 'chain', { tasks: [...tasks] }, options);
}

/** `group(*tasks)`: `celery.group` with `kwargs.tasks`. */
export function groupSignature(
  tasks: readonly Signature[],
  options: Readonly<Record<string, unknown>> = {},
): Signature {
  return canvas('celery.group', 'group', { tasks: [...tasks] }, options);
}

/** `chord(header, body)`: `celery.chord` with `kwargs.header` (its tasks), `kwargs.body` and `kwargs.kwargs`. */
export function chordSignature(
  header: readonly Signature[],
  body: Signature,
  options: Readonly<Record<string, unknown>> = {},
): Signature {
  return canvas('celery.chord', 'chord', { kwargs: {}, header: [...header], body }, options);
}

function canvas(
  task: string,
  subtaskType: string,
  kwargs: Record<string, unknown>,
  options: Readonly<Record<string, unknown>>,
): Signature {
  return { task, args: [], kwargs, options: { ...options }, subtask_type: subtaskType, immutable: false };
}

/**
 * Celery's fallback_chord_unlock (backends/base.py): `celery.chord_unlock(group_id, body,
 * interval=None, max_retries=None, result=[r.as_tuple() ...])` in a second, to `queue` (the
 * body's). A backend without native chord joins (MongoDB) polls the header this way.
 */
export function chordUnlockSignature(
  groupId: string,
  taskIds: readonly string[],
  body: Signature,
  queue: string | null,
): Signature {
  const result = taskIds.map((id) => [[id, null], null]);
  const kwargs = { interval: null, max_retries: null, result };
  return taskSignature('celery.chord_unlock', [groupId, body], kwargs, { queue, countdown: 1 }, false);
}
