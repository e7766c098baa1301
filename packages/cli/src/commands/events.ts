/**
 * `celeriac events`: what the workers (Celeriac and Python) and clients report on `celeryev`, as
 * `celery events` shows it. `--dump` prints every event as one JSON line, as it comes; otherwise
 * a view of the workers and the latest tasks is redrawn every `--interval` (on a terminal; to a
 * pipe, a new view is written only when something changed). Runs until SIGINT or SIGTERM.
 */
import { AmqpConnection, EventReceiver } from '@celeriac/amqp';
import { MonitorState } from '@celeriac/client';
import type { DecodedEvent } from '@celeriac/protocol';
import { defineCommand, type RunContext } from '../command.js';
import { ExitCode } from '../errors.js';
import type { Settings } from '../settings.js';
import { ShutdownSignals } from '../shutdown.js';
import { monitorView } from './monitor-view.js';

interface EventsConfig {
  dump: boolean;
  intervalMs: number;
  tasks: number;
}

export const eventsCommand = defineCommand<EventsConfig>({
  command: 'events',
  describe: 'Watch workers and tasks live from their events (workers need -E for task events)',
  options: {
    dump: { type: 'boolean', describe: 'Print every event as one JSON line instead of the view' },
    interval: {
      type: 'number',
      requiresArg: true,
      describe: 'Seconds between redraws of the view',
      defaultDescription: '1',
    },
    tasks: {
      type: 'number',
      requiresArg: true,
      describe: 'How many of the latest tasks the view lists',
      defaultDescription: '20',
    },
  },
  compile: (settings: Settings) => ({
    dump: settings.boolean('dump') ?? false,
    intervalMs: (settings.seconds('interval') ?? 1) * 1000,
    tasks: settings.integer('tasks', 1, 10_000) ?? 20,
  }),
  run: runEvents,
});

async function runEvents(config: EventsConfig, context: RunContext): Promise<number> {
  const { global, logger, io } = context;
  const signals = new ShutdownSignals(io, logger);
  const connection = await AmqpConnection.open({
    url: global.brokerUrl,
    tls: global.brokerTls,
    declare: global.declare,
    name: 'celeriac-events',
    logger,
  });
  try {
    const state = new MonitorState();
    const onEvent = config.dump
      ? (event: DecodedEvent) => io.stdout.write(`${JSON.stringify(event)}\n`)
      : (event: DecodedEvent) => state.apply(event);
    const receiver = await EventReceiver.start(connection, onEvent, { logger });
    const stopView = config.dump ? () => undefined : drawEvery(state, config, context);
    await signals.received;
    receiver.stop();
    stopView();
    return ExitCode.OK;
  } finally {
    signals.dispose();
    await connection.close();
  }
}

/** Redraws the view on a terminal; to a pipe, writes it only when it changed. */
function drawEvery(state: MonitorState, config: EventsConfig, { io }: RunContext): () => void {
  let last = '';
  const draw = () => {
    const view = monitorView(state, config.tasks, Date.now());
    if (io.stdoutIsTTY) io.stdout.write(`\x1b[2J\x1b[H${view}`);
    else if (view !== last) io.stdout.write(`${view}\n`);
    last = view;
  };
  draw();
  const timer = setInterval(draw, config.intervalMs);
  return () => clearInterval(timer);
}
