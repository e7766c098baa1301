/**
 * A worker with its own node name and queue, the tasks the control tests hold open, and a way to
 * ask it one pidbox command (test/support/pidbox.ts) and read its reply.
 */
import { expect } from 'chai';
import { TaskRegistry, type TaskContext, type Worker, type WorkerOptions } from '@celeriac/worker';
import { uniqueName } from './broker.js';
import { controlCall } from './pidbox.js';
import { TaskHarness } from './task-harness.js';

/** Resolves with its label once the test opens its gate. */
export const BLOCK = 'celeriac.test.inspect.block';
export const QUICK = 'celeriac.test.inspect.quick';

export class ControlHarness extends TaskHarness {
  readonly nodeName: string;
  /** Releases every BLOCK task running now. */
  readonly gates: Array<() => void> = [];

  constructor(prefix = 'inspect') {
    super(prefix);
    this.nodeName = uniqueName(`${prefix}-node`);
  }

  override worker(tasks: TaskRegistry, options: Partial<WorkerOptions> = {}): Promise<Worker> {
    return super.worker(tasks, { nodeName: this.nodeName, mingle: false, ...options });
  }

  tasks(): TaskRegistry {
    return new TaskRegistry()
      .register(
        BLOCK,
        (label: string, _ctx: TaskContext) => new Promise((resolve) => this.gates.push(() => resolve(label))),
      )
      .register(QUICK, (x: number, y: number, _ctx: TaskContext) => x + y);
  }

  /** One command to our worker; its reply value. */
  async ask(method: string, args: Record<string, unknown> = {}, node = this.nodeName): Promise<unknown> {
    const replies = await controlCall({ method, arguments: args, destination: [node] });
    expect(replies, `a reply to ${method}`).to.have.length(1);
    return replies[0]![node];
  }

  override release(): Promise<void> {
    for (const open of this.gates.splice(0)) open();
    return super.release();
  }
}
