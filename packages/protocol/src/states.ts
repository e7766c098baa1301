/** Task states as Celery names them on the wire (celery.states). */
export const TaskState = {
  PENDING: 'PENDING',
  RECEIVED: 'RECEIVED',
  STARTED: 'STARTED',
  SUCCESS: 'SUCCESS',
  FAILURE: 'FAILURE',
  RETRY: 'RETRY',
  REVOKED: 'REVOKED',
  REJECTED: 'REJECTED',
  IGNORED: 'IGNORED',
} as const;

export type TaskState = (typeof TaskState)[keyof typeof TaskState];

/** States after which a task never changes again. */
export const READY_STATES: ReadonlySet<TaskState> = new Set([TaskState.SUCCESS, TaskState.FAILURE, TaskState.REVOKED]);

/** States whose `result` is an encoded exception. */
export const EXCEPTION_STATES: ReadonlySet<TaskState> = new Set([
  TaskState.RETRY,
  TaskState.FAILURE,
  TaskState.REVOKED,
]);

/** Ready states that make `get()` throw instead of returning. */
export const PROPAGATE_STATES: ReadonlySet<TaskState> = new Set([TaskState.FAILURE, TaskState.REVOKED]);

const ALL_STATES: ReadonlySet<string> = new Set(Object.values(TaskState));

export function isTaskState(value: unknown): value is TaskState {
  return typeof value === 'string' && ALL_STATES.has(value);
}
