import { expect } from 'chai';
import type { Delivery } from '@celeriac/amqp';
import { defineTask, type ResultWriter, type StateUpdate } from '@celeriac/core';
import { encodeTask, type TaskMessageInput } from '@celeriac/protocol';
import type { DeadLetterReason, DeadLetters } from '../settle/dead-letters.js';
import { DeliveryProcessor } from '../delivery-processor.js';
import { FinishedOutcomes } from '../gates/finished-outcomes.js';
import type { Gate } from '../gates/gate.js';
import { safeEmit } from '../pipeline.js';
import { Rejector } from '../settle/rejector.js';
import { Slots } from '../execution/slots.js';
import { InlineExecutor } from '../execution/inline-executor.js';
import { TaskReporter } from '../settle/task-reporter.js';
import type { TaskContext } from '../execution/task-context.js';
import { TaskRegistry } from '../task-registry.js';
import { compileWorkerOptions, type WorkerOptions } from '../worker-options.js';
import type { EmitWorkerEvent } from '../worker-events.js';
import type { TaskAbort } from '../execution/task-abort.js';

/** Records, in order, everything the processor does to the broker and the result backend. */
class Recorder {
  readonly log: string[] = [];
  readonly stored: StateUpdate[] = [];
  readonly reasons: DeadLetterReason[] = [];
  readonly events: string[] = [];
  failStores = false;

  readonly results: ResultWriter = {
    store: async (update) => {
      if (this.failStores) throw new Error('backend down');
      this.stored.push(update);
      this.log.push(`store ${update.state}`);
    },
  };

  readonly deadLetters = {
    send: async (_delivery: Delivery, reason: DeadLetterReason) => {
      this.reasons.push(reason);
      this.log.push(`dead ${reason.code}`);
    },
  } as unknown as DeadLetters;

  /** Set to make deliveries report their channel as closed. */
  orphaned = false;

  delivery(input: Partial<TaskMessageInput> & { body?: Buffer }, redelivered = false): Delivery {
    const { body, properties } = encodeTask({
      id: 'task-1',
      name: 'tasks.add',
      args: [2, 3],
      replyTo: 'reply-q',
      ...input,
    });
    const message = {
      content: input.body ?? body,
      properties,
      fields: { redelivered, routingKey: 'q', deliveryTag: 1, exchange: '', consumerTag: 'c' },
    };
    return {
      message,
      queue: 'q',
      ack: () => this.log.push('ack'),
      requeue: () => this.log.push('requeue'),
      orphaned: () => this.orphaned,
    } as unknown as Delivery;
  }
}

function processor(
  recorder: Recorder,
  tasks: TaskRegistry,
  options: Partial<WorkerOptions> = {},
  state = { stopping: false, listenerThrows: false },
  after: (finished: FinishedOutcomes) => Gate[] = () => [],
) {
  const running = new Set<Pick<TaskAbort, 'abort'>>();
  const compiled = compileWorkerOptions({ tasks, ...options });
  const record = (event: string) => {
    recorder.events.push(event);
    if (state.listenerThrows) throw new Error('a bug in an application listener');
  };
  const emit = safeEmit(record as EmitWorkerEvent, compiled.logger);
  const reporter = new TaskReporter(recorder.results);
  const finished = new FinishedOutcomes(reporter);
  const deps = {
    options: compiled,
    reporter,
    rejector: new Rejector(recorder.deadLetters, reporter, emit, compiled.logger),
    gates: [finished, ...after(finished)],
    finished,
    retries: { resend: async () => true },
    executor: new InlineExecutor(compiled.nodeName),
    slots: new Slots(2),
    emit,
    stopping: () => state.stopping,
    handBack: async (job: { delivery: Delivery }, how: { started: boolean }) =>
      void recorder.log.push(`hand back ${job.delivery.queue}${how.started ? ' (started)' : ''}`),
    running,
  };
  return { processor: new DeliveryProcessor(deps), running };
}

const add = defineTask<[x: number, y: number], number>('tasks.add');
const adder = () => new TaskRegistry().register(add, (x, y) => x + y);

describe('DeliveryProcessor', () => {
  it('does not start a task whose channel closed while it waited: the broker has put it back', async () => {
    const recorder = new Recorder();
    let ran = false;
    const tasks = new TaskRegistry().register(add, () => ((ran = true), 0));
    recorder.orphaned = true;
    await processor(recorder, tasks).processor.process(recorder.delivery({}));
    expect({ ran, log: recorder.log }).to.deep.equal({ ran: false, log: [] });
  });

  it('does not hand back at shutdown a task whose channel closed (the broker has the original)', async () => {
    const recorder = new Recorder();
    recorder.orphaned = true;
    await processor(recorder, adder(), {}, { stopping: true, listenerThrows: false }).processor.process(
      recorder.delivery({}),
    );
    expect(recorder.log).to.deep.equal([]);
  });

  it('reports SUCCESS before it acknowledges', async () => {
    const recorder = new Recorder();
    await processor(recorder, adder()).processor.process(recorder.delivery({}));
    expect(recorder.log).to.deep.equal(['store SUCCESS', 'ack']);
    expect(recorder.stored[0]).to.include({ taskId: 'task-1', result: 5, replyTo: 'reply-q', correlationId: 'task-1' });
    expect(recorder.events).to.deep.equal(['task:reserved', 'task:received', 'task:succeeded']);
  });

  it('passes gates that answer at once and gates that wait, in order, and stops at either kind settling it', async () => {
    const seen: string[] = [];
    const gate = (name: string, verdict: 'run' | 'settled', waits: boolean): Gate => ({
      admit: () => (seen.push(name), waits ? Promise.resolve(verdict) : verdict),
    });
    for (const [stopAt, waits] of [
      ['none', false],
      ['b', false],
      ['b', true],
    ] as const) {
      const recorder = new Recorder();
      seen.length = 0;
      const gates = () => [
        gate('a', 'run', !waits),
        gate('b', stopAt === 'b' ? 'settled' : 'run', waits),
        gate('c', 'run', waits),
      ];
      await processor(recorder, adder(), {}, undefined, gates).processor.process(recorder.delivery({}));
      const ran = stopAt === 'none';
      expect({ seen, log: recorder.log }).to.deep.equal({
        seen: ran ? ['a', 'b', 'c'] : ['a', 'b'],
        log: ran ? ['store SUCCESS', 'ack'] : [],
      });
    }
  });

  it('settles each message once even when an event listener throws', async () => {
    const recorder = new Recorder();
    const { processor: subject } = processor(recorder, adder(), {}, { stopping: false, listenerThrows: true });
    await subject.process(recorder.delivery({}));
    await subject.process(recorder.delivery({ name: 'tasks.unknown' }));
    expect(recorder.log).to.deep.equal(['store SUCCESS', 'ack', 'store FAILURE', 'dead NOT_REGISTERED', 'ack']);
  });

  it('reports STARTED first when tracking starts', async () => {
    const recorder = new Recorder();
    await processor(recorder, adder(), { trackStarted: true }).processor.process(recorder.delivery({}));
    expect(recorder.log).to.deep.equal(['store STARTED', 'store SUCCESS', 'ack']);
  });

  it('reports FAILURE before it acknowledges a task that threw', async () => {
    const recorder = new Recorder();
    const tasks = new TaskRegistry().register(add, () => {
      throw new RangeError('too big');
    });
    await processor(recorder, tasks).processor.process(recorder.delivery({}));
    expect(recorder.log).to.deep.equal(['store FAILURE', 'ack']);
    expect(recorder.stored[0]?.result).to.deep.include({ exc_type: 'RangeError', exc_message: ['too big'] });
    expect(recorder.events).to.deep.equal(['task:reserved', 'task:received', 'task:failed']);
  });

  it('stores nothing for SUCCESS when the message or the task says ignore_result', async () => {
    const recorder = new Recorder();
    await processor(recorder, adder()).processor.process(recorder.delivery({ ignoreResult: true }));
    const quiet = new TaskRegistry().register(add, () => 1, { ignoreResult: true });
    await processor(recorder, quiet).processor.process(recorder.delivery({}));
    expect(recorder.log).to.deep.equal(['ack', 'ack']);
  });

  it('does not acknowledge when the state cannot be stored, and requeues a second later', async () => {
    const recorder = new Recorder();
    recorder.failStores = true;
    await processor(recorder, adder()).processor.process(recorder.delivery({}));
    expect(recorder.log).to.deep.equal([]);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect(recorder.log).to.deep.equal(['requeue']);
  });

  it('answers an unknown task NotRegistered, then dead-letters and acknowledges it', async () => {
    const recorder = new Recorder();
    await processor(recorder, adder()).processor.process(recorder.delivery({ name: 'tasks.unknown' }));
    expect(recorder.log).to.deep.equal(['store FAILURE', 'dead NOT_REGISTERED', 'ack']);
    expect(recorder.stored[0]?.result).to.deep.equal({
      exc_type: 'NotRegistered',
      exc_message: ['tasks.unknown'],
      exc_module: 'celery.exceptions',
    });
    expect(recorder.events).to.deep.equal(['message:dead-lettered']);
  });

  it('tells the caller about an undecodable message when it can, then dead-letters it', async () => {
    const recorder = new Recorder();
    await processor(recorder, adder()).processor.process(recorder.delivery({ body: Buffer.from('{not json') }));
    expect(recorder.log).to.deep.equal(['store FAILURE', 'dead BODY_UNDECODABLE', 'ack']);
    expect(recorder.stored[0]?.result).to.include({ exc_type: 'DecodeError' });
  });

  it('only dead-letters an undecodable message nobody waits for', async () => {
    const recorder = new Recorder();
    await processor(recorder, adder()).processor.process(
      recorder.delivery({ replyTo: null, body: Buffer.from('[1]') }),
    );
    expect(recorder.log).to.deep.equal(['dead BODY_SHAPE_INVALID', 'ack']);
  });

  it('hands the task back without running it when the worker is stopping', async () => {
    const recorder = new Recorder();
    let ran = false;
    const tasks = new TaskRegistry().register(add, () => ((ran = true), 0));
    await processor(recorder, tasks, {}, { stopping: true, listenerThrows: false }).processor.process(
      recorder.delivery({}),
    );
    expect(recorder.log).to.deep.equal(['hand back q']);
    expect(ran).to.equal(false);
  });

  it('hands back, and reports nothing, a task aborted at shutdown', async () => {
    const recorder = new Recorder();
    const tasks = new TaskRegistry().register(
      'tasks.add',
      (ctx: TaskContext) =>
        new Promise((_, reject) => ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason))),
    );
    const { processor: subject, running } = processor(recorder, tasks);
    const done = subject.process(recorder.delivery({ args: [] }));
    // Until the handler runs: the processor first lets earlier acks reach the socket (a few turns).
    while (running.size === 0) await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
    for (const controller of running) controller.abort(new Error('worker shutdown timeout'));
    await done;
    expect(recorder.log).to.deep.equal(['hand back q (started)']);
  });

  // The defect: a handler that blocked the loop past the heartbeat lost its channel, and each
  // redelivery ran it again and counted as a poison delivery (five runs, then MAX_DELIVERIES).
  it('answers the redelivery of a task that finished after its channel closed, without running it again', async () => {
    const recorder = new Recorder();
    let runs = 0;
    const tasks = new TaskRegistry().register(add, (x, y) => {
      runs += 1;
      recorder.orphaned = true; // the connection drops while the handler runs
      return x + y;
    });
    const { processor: subject } = processor(recorder, tasks);
    recorder.failStores = true; // the result connection went too
    await subject.process(recorder.delivery({}));
    expect(recorder.log).to.deep.equal([]);
    recorder.orphaned = false;
    recorder.failStores = false;
    await subject.process(recorder.delivery({}));
    expect({ runs, log: recorder.log }).to.deep.equal({ runs: 1, log: ['store SUCCESS', 'ack'] });
    expect(recorder.stored[0]).to.include({ taskId: 'task-1', result: 5 });
    await subject.process(recorder.delivery({}));
    expect(runs, 'a third delivery (a real duplicate) runs again').to.equal(2);
  });

  it('acks the redelivery without a second report when the first one got through', async () => {
    const recorder = new Recorder();
    const tasks = new TaskRegistry().register(add, (x, y) => ((recorder.orphaned = true), x + y));
    const { processor: subject } = processor(recorder, tasks);
    await subject.process(recorder.delivery({}));
    recorder.orphaned = false;
    await subject.process(recorder.delivery({ args: [1, 1] }));
    expect(recorder.log).to.deep.equal(['store SUCCESS', 'ack']);
  });

  it('makes a redelivery that arrives while the task still runs here wait for that run, then answers it', async () => {
    const recorder = new Recorder();
    let runs = 0;
    let lost = false;
    let finish: () => void = () => undefined;
    const tasks = new TaskRegistry().register(add, async (x, y) => {
      runs += 1;
      lost = true; // the connection drops under the running task
      await new Promise<void>((resolve) => (finish = resolve));
      return x + y;
    });
    const { processor: subject } = processor(recorder, tasks);
    const first = subject.process({ ...recorder.delivery({}), orphaned: () => lost });
    while (runs === 0) await new Promise((resolve) => setImmediate(resolve));
    // Reconnected: the broker delivers it again, while it still runs here.
    const again = subject.process(recorder.delivery({}, true));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(runs, 'the redelivery does not start a second run').to.equal(1);
    finish();
    await Promise.all([first, again]);
    expect({ runs, log: recorder.log }).to.deep.equal({ runs: 1, log: ['store SUCCESS', 'ack'] });
  });

  it('does not count the redelivery of a task whose channel closed before it started here', async () => {
    const recorder = new Recorder();
    const counted: boolean[] = [];
    const countGate = (finished: FinishedOutcomes): Gate[] => [
      { admit: (job) => Promise.resolve((counted.push(!finished.uncounted(job)), 'run' as const)) },
    ];
    const { processor: subject } = processor(recorder, adder(), {}, undefined, countGate);
    recorder.orphaned = true; // lost while it waited for its slot
    await subject.process(recorder.delivery({}));
    recorder.orphaned = false;
    await subject.process(recorder.delivery({}, true));
    await subject.process(recorder.delivery({}, true));
    expect(counted, 'the first redelivery is not counted, a later one is').to.deep.equal([true, false, true]);
    expect(recorder.log).to.deep.equal(['store SUCCESS', 'ack', 'store SUCCESS', 'ack']);
  });
});
