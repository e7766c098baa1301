/**
 * The `arguments` of the pidbox commands Celeriac sends and answers, with Celery 5.2's names
 * (reference §6.3). The envelope around them is message.ts.
 */

/** What `app.control.revoke(task_id, terminate=..., signal='SIGTERM')` puts in `arguments`. */
export type RevokeArguments = {
  /** One id goes out as a bare string, several as a list: what Python sends for each. */
  task_id: string | string[];
  terminate: boolean;
  signal: 'SIGTERM';
};

/** The arguments of a revoke; the caller has checked the ids (non-empty strings). */
export function revokeArguments(taskIds: string | readonly string[], terminate: boolean): RevokeArguments {
  return { task_id: typeof taskIds === 'string' ? taskIds : [...taskIds], terminate, signal: 'SIGTERM' };
}

/**
 * The ids of a revoke's `task_id` (Celery's `maybe_list`: one id or a list), duplicates once;
 * null when it is neither a string nor a list of strings. Absent means no ids.
 */
export function revokeTaskIds(value: unknown): string[] | null {
  if (value === undefined || value === null) return [];
  const ids: unknown[] = Array.isArray(value) ? value : [value];
  if (!ids.every((id) => typeof id === 'string')) return null;
  return [...new Set(ids)];
}
