/**
 * When a pool child is replaced after its task, as Celery's prefork pool does with
 * --max-tasks-per-child and --max-memory-per-child.
 */
import type { ChildKind } from './child-handle.js';

/** Why a child was replaced after its task (Celery's --max-tasks-per-child, --max-memory-per-child). */
export type RecycleReason = 'max-tasks-per-child' | 'max-memory-per-child';

export interface ChildRecycledInfo {
  kind: ChildKind;
  reason: RecycleReason;
  /** Tasks the child ran. */
  tasks: number;
  /** What it held after its last task, in KiB (see FromChild 'done' for what is measured). */
  memoryKb: number;
}

/** What the recycling limits look at in a child after its task. */
export interface ChildUsage {
  tasks: number;
  /** What it held after its last task (see FromChild 'done' for what is measured). */
  memoryBytes: number;
}

export interface RecycleLimits {
  maxTasksPerChild?: number | null;
  maxMemoryPerChildKb?: number | null;
}

/** Which limit a child has reached after its task, if any. */
export function recycleReason(child: ChildUsage, limits: RecycleLimits): RecycleReason | null {
  const { maxTasksPerChild, maxMemoryPerChildKb } = limits;
  if (maxTasksPerChild && child.tasks >= maxTasksPerChild) return 'max-tasks-per-child';
  if (maxMemoryPerChildKb && child.memoryBytes > maxMemoryPerChildKb * 1024) return 'max-memory-per-child';
  return null;
}
