/**
 * @module @celeriac/cli
 *
 * The `celeriac` command line. `main` is exported so tests and embedders can run a command
 * in-process with their own environment and streams.
 *
 * ```ts
 * const code = await main(['node', 'celeriac', 'call', 'tasks.add', '--args', '[2,3]', '--wait']);
 * ```
 */
export { main, GLOBAL_OPTIONS, globalConfigFromEnv } from './main.js';
export { ExitCode, UsageError } from './errors.js';
export type { CliIo, Env, SignalSource, ShutdownSignal } from './io.js';
export {
  layerSettings,
  withDefaults,
  compileGlobal,
  readConfigFile,
  envName,
  type GlobalConfig,
  type RawSettings,
  type Layers,
} from './config.js';
export { Settings, type Setting } from './settings.js';
export { createLogging, adapt as adaptWinston, type Logging } from './logging.js';
/** The wiring behind --metrics-port, for embedders that run a Worker or Beat themselves. */
export { serveWorkerMetrics, serveBeatMetrics, METRICS_PORT_OPTION } from './metrics.js';
