/**
 * `--metrics-port`: the process that owns the port wires @celeriac/metrics to the typed events
 * of its Worker or Beat, so neither library package loads a metrics library. The metrics package
 * (prom-client) is imported only when a port is given: it was a quarter of every command's start.
 */
import type { Logger } from '@celeriac/core';
import type { Beat } from '@celeriac/beat';
import type { MetricsServer } from '@celeriac/metrics';
import type { Worker } from '@celeriac/worker';

export const METRICS_PORT_OPTION = {
  type: 'number',
  requiresArg: true,
  describe: 'Serve Prometheus metrics on http://0.0.0.0:PORT/metrics and a health check on /healthz',
  defaultDescription: 'off',
} as const;

/** Counts the worker's task events; gauges and /healthz read the worker when asked. */
export async function serveWorkerMetrics(worker: Worker, port: number, logger: Logger): Promise<MetricsServer> {
  const { MetricsServer, Registry, WorkerMetrics } = await import('@celeriac/metrics');
  const registry = new Registry();
  const gauges = () => ({
    running: worker.runningCount,
    held: worker.activeCount,
    connected: worker.connected,
    concurrency: worker.concurrency,
    loopDelay: worker.loopDelay,
  });
  const knownTask = (name: string) => worker.options.tasks.get(name) !== undefined;
  const metrics = new WorkerMetrics({ registry, gauges, knownTask });
  worker.on('task:reserved', (info) => metrics.received(info));
  worker.on('task:received', (info) => metrics.started(info));
  worker.on('task:succeeded', (info) => metrics.succeeded(info));
  worker.on('task:failed', (info) => metrics.failed(info));
  worker.on('task:retried', (info) => metrics.retried(info));
  worker.on('task:revoked', (info) => metrics.revoked(info));
  worker.on('message:dead-lettered', (info) => metrics.deadLettered(info));
  worker.on('connection:restored', ({ connection }) => metrics.reconnected(connection));
  worker.on('worker:loop-blocked', (info) => metrics.loopBlocked(info));
  worker.on('pool:child-recycled', (info) => metrics.childRecycled(info));
  return MetricsServer.start({ port, registry, healthy: () => worker.healthy, logger });
}

/** Counts the beat's fires and leadership changes; gauges and /healthz read the beat when asked. */
export async function serveBeatMetrics(beat: Beat, port: number, logger: Logger): Promise<MetricsServer> {
  const { BeatMetrics, MetricsServer, Registry } = await import('@celeriac/metrics');
  const registry = new Registry();
  const metrics = new BeatMetrics({
    registry,
    gauges: () => ({ leading: beat.isLeader, scheduled: beat.isLeader ? beat.scheduledCount : 0 }),
  });
  beat.on('schedule:fired', (info) => metrics.fired(info));
  beat.on('schedule:error', (info) => metrics.scheduleError(info));
  beat.on('leader:acquired', () => metrics.leadership('acquired'));
  beat.on('leader:lost', () => metrics.leadership('lost'));
  return MetricsServer.start({ port, registry, healthy: () => beat.healthy, logger });
}
