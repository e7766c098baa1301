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
