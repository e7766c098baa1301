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
export { compileBeatOptions, type BeatOptions, type BeatClientOptions, type CompiledBeatOptions } from './beat-options.js';
export type { BeatEvents, FiredInfo, ScheduleErrorInfo, LeaderLostInfo } from './beat-events.js';
/** Building blocks, exported for benchmarks and tools that drive the loop without a broker. */
export { BeatLoop, MAX_TIMER_MS, FIRE_RETRY_MS, type LoopDeps } from './beat-loop.js';
export { ScheduleHeap, type HeapItem } from './schedule-heap.js';
export { fireSlots, sendOptions, type TaskSender, type FireDeps, type FireOutcome } from './fire.js';
export { ScheduleEditor } from './schedule-editor.js';
export { parseCommand } from './parse-command.js';
