/**
 * @module @celeriac/metrics
 *
 * Prometheus metrics and health checks for workers and beats, through prom-client. Depends on
 * core only: the process that owns the port (the CLI, or your own code) feeds it from the typed
 * events of a Worker or a Beat, so the worker and beat packages never load a metrics library.
 *
 * ```ts
 * const registry = new Registry();
 * const metrics = new WorkerMetrics({ registry, gauges: () => ({ running: worker.runningCount, held: worker.activeCount, connected: worker.connected }), knownTask: (name) => tasks.get(name) !== undefined });
 * worker.on('task:received', (info) => metrics.received(info));
 * const server = await MetricsServer.start({ port: 9808, registry, healthy: () => worker.healthy, logger });
 * ```
 */
export { Registry } from 'prom-client';
export { WorkerMetrics, type WorkerGauges, type WorkerMetricsOptions, type TaskLabels } from './worker-metrics.js';
export { BeatMetrics, type BeatGauges, type BeatMetricsOptions } from './beat-metrics.js';
export { MetricsServer, type MetricsServerOptions } from './metrics-server.js';
