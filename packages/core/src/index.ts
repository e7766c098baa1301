/**
 * @module @celeriac/core
 *
 * What producers, workers and the beat share: task contracts, errors with stable codes, the
 * logger seam, typed events and the result backend interfaces.
 *
 * ```ts
 * import { defineTask } from '@celeriac/core';
 * export const add = defineTask<[x: number, y: number], number>('tasks.add');
 * ```
 */
export {
  defineTask,
  assertTaskName,
  type TaskContract,
  type TaskDefinition,
  type DefineTaskOptions,
  type ArgsOf,
  type ResultOf,
} from './task-contract.js';
export {
  Canvas,
  TaskSignature,
  Chain,
  Group,
  Chord,
  chain,
  group,
  chord,
  signature,
  SerialisedCanvas,
  CANVAS_TASKS,
  scheduledCanvas,
  canvasOfSchedule,
  type AnyCanvas,
  type CanvasInput,
  type CanvasResult,
  type CheckedChain,
  type SignatureOptions,
} from './canvas.js';
export { bindArguments, compileParams, TaskArgumentsError, type ParamNames, type TaskParam } from './task-params.js';
export {
  CeleriacError,
  ConfigurationError,
  InvalidArgumentError,
  ConnectionError,
  PublishError,
  ResultError,
  TaskFailedError,
  type ConnectionErrorCode,
  type PublishErrorCode,
  type ResultErrorCode,
} from './errors.js';
export { randomId } from './random-id.js';
export { silentLogger, errorMeta, type Logger, type LogLevel, type LogMeta } from './logger.js';
export { TypedEmitter, safeEmitter, type EmitFunction, type EventMap } from './typed-emitter.js';
export {
  BROKER_URL_SEPARATOR,
  DEFAULT_BROKER_URL,
  brokerUrlProblem,
  checkBrokerUrl,
  isBrokerUrl,
  redactUrl,
  maskSecretParams,
  splitBrokerUrls,
  type BrokerUrls,
} from './broker-url.js';
export { MAX_TIMER_MS } from './timers.js';
export { LamportClock } from './lamport-clock.js';
export type { ResultReader, ResultWriter, StateUpdate } from './result-backend.js';
export { resultBackendKind, isMongoUrl, DEFAULT_RESULT_BACKEND, type ResultBackendKind } from './result-backend-url.js';
export {
  loadMongoModule,
  MONGO_MODULE,
  MONGO_MISSING_MESSAGE,
  type MongoBackendModule,
  type MongoResultBackendOptions,
  type StoredResultBackend,
  type GroupStore,
  type ChordProgress,
} from './load-backend.js';
export { backoffDelayMs, DEFAULT_BACKOFF, type BackoffOptions } from './backoff.js';
export * from './schedule/index.js';
export { parseRateLimit, RateLimitError, TokenBucket, type RateLimit, type RateLimitErrorCode } from './rate-limit.js';
