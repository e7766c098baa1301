import { hostname } from 'node:os';
import { ConfigurationError, DEFAULT_BROKER_URL, resultBackendKind, silentLogger, type Logger, type ResultBackendKind } from '@celeriac/core';
import { DEFAULT_QUEUE, type TaskQueueOptions } from '@celeriac/amqp';
import { isTaskRegistry, type TaskRegistry } from './task-registry.js';

export interface WorkerOptions {
  tasks: TaskRegistry;
  /** @default 'amqp://guest:guest@localhost:5672//' */
  brokerUrl?: string;
  /** Queues to consume. @default ['celery'] */
  queues?: string[];
  /** Declaration options per queue name; must match every other declarer of the queue. */
  queueOptions?: Record<string, TaskQueueOptions>;
  /** Tasks running at once. @default 10 */
  concurrency?: number;
  /** Unacknowledged messages per queue = concurrency × this, so the next task is already here. @default 2 */
  prefetchMultiplier?: number;
  /** 'rpc://' to report states to the caller's reply queue, or null to report nothing. @default 'rpc://' */
  resultBackend?: string | null;
  /** Report STARTED before running a task, like Celery's task_track_started. @default false */
  trackStarted?: boolean;
  /** Bodies larger than this are dead-lettered unread. @default 16 MiB */
  maxBodyBytes?: number;
  /** Node name in logs and results. @default 'celeriac@<hostname>' */
  nodeName?: string;
  logger?: Logger;
}

export interface CompiledWorkerOptions {
  tasks: TaskRegistry;
  brokerUrl: string;
  queues: string[];
  queueOptions: Record<string, TaskQueueOptions>;
  concurrency: number;
  prefetch: number;
  resultBackend: ResultBackendKind;
  trackStarted: boolean;
  maxBodyBytes: number;
  nodeName: string;
  logger: Logger;
}

export function compileWorkerOptions(options: WorkerOptions): CompiledWorkerOptions {
  if (!isTaskRegistry(options.tasks)) throw new ConfigurationError('tasks must be a TaskRegistry');
  const concurrency = positiveInteger(options.concurrency ?? 10, 'concurrency');
  return {
    tasks: options.tasks,
    brokerUrl: brokerUrl(options.brokerUrl ?? DEFAULT_BROKER_URL),
    queues: queueNames(options.queues ?? [DEFAULT_QUEUE]),
    queueOptions: options.queueOptions ?? {},
    concurrency,
    prefetch: Math.min(65_535, concurrency * positiveInteger(options.prefetchMultiplier ?? 2, 'prefetchMultiplier')),
    resultBackend: resultBackendKind(options.resultBackend),
    trackStarted: options.trackStarted ?? false,
    maxBodyBytes: positiveInteger(options.maxBodyBytes ?? 16 * 1024 * 1024, 'maxBodyBytes'),
    nodeName: options.nodeName ?? `celeriac@${hostname()}`,
    logger: options.logger ?? silentLogger,
  };
}

function brokerUrl(url: unknown): string {
  if (typeof url === 'string' && /^amqps?:\/\//.test(url)) return url;
  throw new ConfigurationError('brokerUrl must be an amqp:// or amqps:// URL');
}

function positiveInteger(value: number, field: string): number {
  if (Number.isInteger(value) && value > 0) return value;
  throw new ConfigurationError(`${field} must be a positive integer, got ${JSON.stringify(value)}`);
}

function queueNames(queues: unknown): string[] {
  // Options also come from JavaScript and config files, where a bare string is an easy mistake.
  if (!Array.isArray(queues) || !queues.every((queue) => typeof queue === 'string')) throw new ConfigurationError('queues must be an array of queue names');
  const names = [...new Set(queues.map((queue: string) => queue.trim()))];
  if (names.length === 0 || names.some((name) => !name)) throw new ConfigurationError('queues must name at least one queue, none empty');
  return names;
}

