/**
 * A worker's configuration under Celery's setting names, for `inspect conf` and `report`: the
 * URLs with their passwords masked as Celery masks them, and only the settings off their
 * defaults unless the requester asks `with_defaults`.
 */
import { maskSecretParams } from '@celeriac/core';
import type { CompiledWorkerOptions } from '../worker-options.js';

/** Celery's mask for a URL's password (`amqp://guest:********@host//`). */
export function maskUrl(url: string): string {
  return maskSecretParams(url.replace(/(\/\/[^:/@;]*:)[^@;]*@/g, '$1********@'), '********');
}

/** The settings with their defaults (those of compileWorkerOptions), in Celery's units (seconds). */
const DEFAULTS: Readonly<Record<string, unknown>> = {
  task_default_queue: 'celery',
  task_default_queue_type: 'classic',
  worker_concurrency: 10,
  worker_prefetch_multiplier: 2,
  worker_pool: 'inline',
  worker_max_tasks_per_child: null,
  worker_max_memory_per_child: null,
  celeriac_autoscale: null,
  celeriac_consumer_timeout: 1800,
  broker_heartbeat: 10,
  task_track_started: false,
  task_time_limit: null,
  task_soft_time_limit: null,
  result_expires: 86_400,
  celeriac_max_deliveries: 5,
  celeriac_shutdown_timeout: 30,
  celeriac_mingle: true,
  worker_send_task_events: false,
  celeriac_heartbeat_events: true,
};

export function workerSettings(options: CompiledWorkerOptions, withDefaults: boolean): Record<string, unknown> {
  const all = allSettings(options);
  if (withDefaults) return all;
  return Object.fromEntries(
    Object.entries(all).filter(([key, value]) => !(key in DEFAULTS) || DEFAULTS[key] !== value),
  );
}

function allSettings(options: CompiledWorkerOptions): Record<string, unknown> {
  const seconds = (ms: number | null) => (ms === null ? null : ms / 1000);
  return {
    broker_url: maskUrl(options.brokerUrl),
    result_backend: options.resultBackendUrl === null ? null : maskUrl(options.resultBackendUrl),
    task_default_queue: options.queues[0],
    task_default_queue_type: options.queueType,
    worker_concurrency: options.concurrency,
    worker_prefetch_multiplier: options.prefetch / (options.autoscale?.max ?? options.concurrency),
    worker_pool: options.pool,
    worker_max_tasks_per_child: options.maxTasksPerChild,
    // KiB, as Celery's.
    worker_max_memory_per_child: options.maxMemoryPerChildKb,
    // `--autoscale MAX,MIN` has no Celery setting of its own (worker_autoscaler is a class path).
    celeriac_autoscale: options.autoscale ? [options.autoscale.max, options.autoscale.min] : null,
    celeriac_consumer_timeout: seconds(options.consumerTimeoutMs),
    broker_heartbeat: options.brokerHeartbeatSeconds,
    task_track_started: options.trackStarted,
    task_time_limit: seconds(options.timeLimits.timeLimitMs),
    task_soft_time_limit: seconds(options.timeLimits.softTimeLimitMs),
    result_expires: options.resultExpiresMs / 1000,
    celeriac_max_deliveries: options.maxDeliveries,
    celeriac_shutdown_timeout: options.shutdownTimeoutMs / 1000,
    celeriac_mingle: options.mingle,
    // Celery's name for -E; the run-time switch (enable_events) is not a setting, as in Celery.
    worker_send_task_events: options.events,
    celeriac_heartbeat_events: options.heartbeatEvents,
  };
}
