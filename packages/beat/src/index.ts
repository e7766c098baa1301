/**
 * @module @celeriac/beat
 *
 * The periodic scheduler: fires cron, interval and one-off schedules as Celery tasks, exactly
 * once per slot (task id = slotTaskId(name, slot)), with hot standbys (an exclusive-queue lock
 * on RabbitMQ) and runtime edits over AMQP (`client.schedules`). The schedule maths and the
 * stores live in @celeriac/core; this package is the loop, the lock and the control queue.
 *
 * ```ts
 * import { Beat } from '@celeriac/beat';
 * import { openScheduleStore } from '@celeriac/core';
 *
 * const store = await openScheduleStore('file:./celeriac-schedule.json');
 * const beat = new Beat({
 *   brokerUrl: 'amqp://guest:guest@127.0.0.1:5672//',
 *   store,
 *   schedules: [{ name: 'cleanup', task: 'maintenance.cleanup', schedule: { kind: 'interval', everyMs: 60_000 } }],
 * });
 * beat.on('schedule:fired', ({ name, slot, taskId }) => console.log(name, slot, taskId));
 * await beat.start();
 * ```
 */
export { Beat, type BeatState } from './beat.js';
export {
  compileBeatOptions,
  type BeatOptions,
  type BeatClientOptions,
  type CompiledBeatOptions,
} from './beat-options.js';
export type { BeatEvents, FiredInfo, ScheduleErrorInfo, LeaderLostInfo } from './beat-events.js';
/**
 * @internal Building blocks for the benchmarks (scripts/bench), which drive the loop without a
 * broker. Not part of the supported API: they change when beat's inside does.
 */
export { BeatLoop, MAX_TIMER_MS, FIRE_RETRY_MS, type LoopDeps } from './beat-loop.js';
/** @internal For the benchmarks, as above. */
export { ScheduleHeap, type HeapItem } from './schedule-heap.js';
/** @internal For the benchmarks, as above. */
export { fireSlots, sendOptions, type TaskSender, type FireDeps, type FireOutcome } from './fire.js';
/** @internal Applies schedule commands to a store and a loop; for tools embedding beat's logic. */
export { ScheduleEditor } from './schedule-editor.js';
export { compileStatic, type StaticSchedule } from './static-schedule.js';
/** Whether a store holds the merge of static schedules of a digest already (the CLI asks before reading its file). */
export { staticSchedulesMerged } from './static-schedule.js';
/** @internal The control queue's command reader (protocol's decoder with beat's error type). */
export { parseCommand } from './parse-command.js';
