/**
 * @module @celeriac/client
 *
 * The producer API: send tasks (typed through contracts, or by name) and await their results.
 *
 * ```ts
 * const client = new Client({ brokerUrl, resultBackend: 'rpc://' });
 * const result = await client.send(add, [2, 3], { countdown: 5, queue: 'math' });
 * await result.get({ timeoutMs: 10_000 });
 * await client.close();
 * ```
 */
export { Client } from './client.js';
export { AsyncResult, type GetOptions, type ParentResult } from './async-result.js';
export { GroupResult } from './group-result.js';
export type { CanvasHandle, CanvasSendOptions } from './canvas-handle.js';
export { chain, group, chord, signature, type TaskSignature } from '@celeriac/core';
export { compileClientOptions, type ClientOptions, type CompiledClientOptions } from './client-options.js';
export type { SendOptions } from './send-options.js';
export { compileRoutes, type Routes, type Router } from './routes.js';
export { TaskFailedError, ResultError, PublishError, InvalidArgumentError } from '@celeriac/core';
export type { AskOptions, ControlReplies, RevokeOptions } from './control.js';
export {
  DEFAULT_LIST_LIMIT,
  DeadLetterAdmin,
  type DeadLetter,
  type DeadLetterFilter,
  type RequeueOutcome,
} from './dead-letters.js';
export {
  ScheduleClient,
  ScheduleCommandError,
  DEFAULT_SCHEDULE_TIMEOUT_MS,
  type ScheduleCallOptions,
} from './schedules.js';
export { MonitorState, type TaskView, type WorkerView } from './monitor-state.js';
