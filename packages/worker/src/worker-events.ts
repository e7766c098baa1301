import type { EmitFunction } from '@celeriac/core';
import type { TaskMessage } from '@celeriac/protocol';
import type { ChildRecycledInfo } from './execution/children/recycling.js';
/** Payloads of the events a Worker emits. */
export interface TaskEventInfo {
  id: string;
  name: string;
  queue: string;
}

/** A task that passed the gates and holds a place here, waiting for a slot or about to run. */
export interface TaskReservedInfo extends TaskEventInfo {
  task: TaskMessage;
}

export interface TaskFinishedInfo extends TaskEventInfo {
  runtimeMs: number;
}

export interface TaskSucceededInfo extends TaskFinishedInfo {
  /** What the handler returned. */
  result: unknown;
}

/** A task not run (revoked or expired before it started) or stopped by a revoke with terminate. */
export interface TaskRevokedInfo extends TaskEventInfo {
  terminated: boolean;
  expired: boolean;
  /** Whether it had passed the gates (task:reserved) first: revoked while it waited for a slot, or terminated. */
  reserved: boolean;
}

export interface TaskFailedInfo extends TaskFinishedInfo {
  error: unknown;
}

export interface TaskRetriedInfo extends TaskFailedInfo {
  /** How long the retry waits before it runs. */
  delayMs: number;
}

export interface LoopBlockedInfo extends TaskEventInfo {
  /** How long the handler held the event loop (at least). */
  blockedMs: number;
}

export interface DeadLetterInfo {
  queue: string;
  /** The task name the message's headers give, clipped; null when it gives none. */
  task: string | null;
  reason: string;
  code: string;
  id: string | null;
  /** The task's name, when the message could be decoded. */
  name: string | null;
}

/**
 * Event name → listener arguments, for `worker.on(...)`. A type alias, not an interface with an
 * index signature: the signature would make every string a valid event name.
 */
/** Which of the worker's two broker connections. */
export interface ConnectionInfo {
  connection: 'consume' | 'publish';
}

export type WorkerEvents = {
  /** Passed the gates: it will run here once a slot is free (Celery's task-received). */
  'task:reserved': [info: TaskReservedInfo];
  /** About to run: acked (unless acksLate), the handler starts now (Celery's task-started). */
  'task:received': [info: TaskEventInfo];
  'task:succeeded': [info: TaskSucceededInfo];
  'task:failed': [info: TaskFailedInfo];
  /** The handler asked to retry (ctx.retry or autoRetryFor); the task was republished. */
  'task:retried': [info: TaskRetriedInfo];
  /** Revoked or expired before it ran (REVOKED stored, message acked), or terminated while it ran. */
  'task:revoked': [info: TaskRevokedInfo];
  'message:dead-lettered': [info: DeadLetterInfo];
  /** A handler on the inline pool held the event loop for a second or more (the loop watchdog's BLOCKED_LOOP_MS). */
  'worker:loop-blocked': [info: LoopBlockedInfo];
  /** A pool thread or process was replaced after its task: --max-tasks-per-child or --max-memory-per-child. */
  'pool:child-recycled': [info: ChildRecycledInfo];
  /** A broker connection was lost; the worker reconnects by itself. */
  'connection:lost': [info: ConnectionInfo];
  /** A lost connection is back, its channels and consumers set up again. */
  'connection:restored': [info: ConnectionInfo];
  'worker:ready': [];
  'worker:stopped': [];
};

/** How components inside the worker emit its events (listener errors are caught by the worker). */
export type EmitWorkerEvent = EmitFunction<WorkerEvents>;
