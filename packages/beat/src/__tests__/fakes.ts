import {
  MemoryScheduleStore,
  PublishError,
  silentLogger,
  type AnyCanvas,
  type ScheduleInput,
  type StoreOptions,
} from '@celeriac/core';
import type { CanvasSendOptions, SendOptions } from '@celeriac/client';
import type { Signature } from '@celeriac/protocol';
import type { BeatEvents, EmitBeatEvent } from '../beat-events.js';
import { BeatLoop } from '../beat-loop.js';
import type { TaskSender } from '../fire.js';
import { ScheduleEditor } from '../schedule-editor.js';

export interface SentTask {
  name: string;
  args: readonly unknown[];
  options: SendOptions;
}

/** Records sends; `failNext` makes the next sends fail as an unconfirmed publish would. */
export class FakeSender implements TaskSender {
  readonly sent: SentTask[] = [];
  failNext = 0;
  /** While set, sends wait for it, as for a confirm that is slow to come (a blocked broker). */
  held: Promise<void> | null = null;

  async sendTask(
    name: string,
    args: readonly unknown[],
    _kwargs: Record<string, unknown>,
    options: SendOptions,
  ): Promise<unknown> {
    if (this.held) await this.held;
    if (this.failNext > 0) {
      this.failNext -= 1;
      throw new PublishError('PUBLISH_UNCONFIRMED', 'broker went away', { exchange: '', routingKey: 'q' });
    }
    this.sent.push({ name, args, options });
    return undefined;
  }

  /** A canvas fire, recorded under its serialised task name with its first task's id. */
  async send(canvas: AnyCanvas, options: CanvasSendOptions): Promise<unknown> {
    const sig = canvas.toSignature();
    const [first] = (sig.kwargs.tasks as Signature[] | undefined) ?? [];
    const taskId = sig.subtask_type === 'group' ? sig.options.task_id : first?.options.task_id;
    return this.sendTask(sig.task, [sig.kwargs], {}, { ...options, taskId: taskId as string });
  }
}

/** Collects emitted events by name. */
export class Events {
  readonly seen: Array<{ event: keyof BeatEvents; args: unknown[] }> = [];
  readonly emit: EmitBeatEvent = (event, ...args) => void this.seen.push({ event, args });

  of<E extends keyof BeatEvents>(event: E): BeatEvents[E][] {
    return this.seen.filter((e) => e.event === event).map((e) => e.args as BeatEvents[E]);
  }
}

/** A loop on a memory store with a fake sender and the real clock. */
export function loopHarness(
  storeOptions: StoreOptions = {},
  retryMs = 20,
  clock: () => number = Date.now,
  toleranceMs = 2,
) {
  const store = new MemoryScheduleStore(storeOptions);
  const sender = new FakeSender();
  const events = new Events();
  const loop = new BeatLoop({
    store,
    sender,
    logger: silentLogger,
    emit: events.emit,
    clock,
    toleranceMs,
    retryMs,
  });
  const editor = new ScheduleEditor(store, loop);
  return { store, sender, events, loop, editor };
}

export function onceAt(name: string, at: Date, extra: Partial<ScheduleInput> = {}): ScheduleInput {
  return { name, task: 'tasks.once', schedule: { kind: 'once', at }, ...extra };
}

export function inMs(ms: number): Date {
  return new Date(Date.now() + ms);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls until `check` is true, or fails after `timeoutMs`. */
export async function until(check: () => boolean, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await sleep(5);
  }
}
