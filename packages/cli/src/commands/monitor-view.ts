/** The text `celeriac events` shows: the workers, then the latest tasks, as plain columns. */
import type { MonitorState, TaskView, WorkerView } from '@celeriac/client';
import { columns } from './text-columns.js';

const WORKER_HEADER = ['WORKER', 'STATE', 'ACTIVE', 'PROCESSED', 'LOAD', 'SOFTWARE'];
const TASK_HEADER = ['TASK ID', 'NAME', 'STATE', 'WORKER', 'RUNTIME', 'UPDATED'];

export function monitorView(state: MonitorState, taskCount: number, nowMs: number): string {
  const workers = state.workers(nowMs);
  const tasks = state.tasks(taskCount);
  const workerPart =
    workers.length === 0 ? 'no workers seen yet\n' : columns([WORKER_HEADER, ...workers.map(workerRow)]);
  const taskPart =
    tasks.length === 0
      ? 'no task events yet (workers send them with -E)\n'
      : columns([TASK_HEADER, ...tasks.map(taskRow)]);
  return `${workerPart}\n${taskPart}`;
}

function workerRow(worker: WorkerView): string[] {
  const load = worker.loadavg?.map((value) => value.toFixed(2)).join(' ') ?? '-';
  const count = (value: number | null) => (value === null ? '-' : String(value));
  return [
    worker.hostname,
    worker.online ? 'online' : 'offline',
    count(worker.active),
    count(worker.processed),
    load,
    worker.software ?? '-',
  ];
}

function taskRow(task: TaskView): string[] {
  const runtime = task.runtime === null ? '-' : `${task.runtime.toFixed(3)}s`;
  return [task.uuid, task.name ?? '-', task.state, task.worker ?? '-', runtime, new Date(task.updatedMs).toISOString()];
}
