import type { QueueType } from '@celeriac/amqp';
import { Client, type SendOptions } from '@celeriac/client';
import { stringifyJson } from '@celeriac/protocol';
import { defineCommand, type Args, type RunContext } from '../command.js';
import { ExitCode, UsageError } from '../errors.js';
import { invalid, type Settings } from '../settings.js';
import { QUEUE_TYPE_OPTION, QUEUE_TYPES } from './queue-type-option.js';

interface CallConfig {
  task: string;
  args: unknown[];
  kwargs: Record<string, unknown>;
  send: SendOptions;
  wait: boolean;
  timeoutMs: number | undefined;
  queueType: QueueType | undefined;
}

export const callCommand = defineCommand<CallConfig>({
  command: 'call <task>',
  describe: 'Send a task by name and print its id (with --wait, then its result as JSON)',
  positionals: { task: { type: 'string', describe: 'Registered task name, e.g. tasks.add' } },
  options: {
    args: {
      type: 'string',
      requiresArg: true,
      describe: 'Positional arguments as a JSON array',
      defaultDescription: '[]',
    },
    kwargs: {
      type: 'string',
      requiresArg: true,
      describe: 'Keyword arguments as a JSON object',
      defaultDescription: '{}',
    },
    queue: { type: 'string', requiresArg: true, describe: 'Queue to send to', defaultDescription: 'celery' },
    countdown: { type: 'number', requiresArg: true, describe: 'Run no earlier than this many seconds from now' },
    eta: { type: 'string', requiresArg: true, describe: 'Run no earlier than this ISO-8601 time' },
    expires: {
      type: 'string',
      requiresArg: true,
      describe: 'Discard if not started within this many seconds (or by this ISO-8601 time)',
    },
    priority: {
      type: 'number',
      requiresArg: true,
      describe: 'Message priority 0-255 (queues with x-max-priority only)',
    },
    'queue-type': QUEUE_TYPE_OPTION,
    wait: { type: 'boolean', describe: 'Wait for the result and print it as JSON' },
    timeout: {
      type: 'number',
      requiresArg: true,
      describe: 'With --wait: give up after this many seconds',
      defaultDescription: 'no limit',
    },
  },
  compile: compileCall,
  run: runCall,
});

function compileCall(settings: Settings, args: Args): CallConfig {
  const timeout = settings.seconds('timeout');
  return {
    task: taskName(args.task),
    args: jsonArray(settings),
    kwargs: jsonObject(settings),
    send: sendOptions(settings),
    wait: settings.boolean('wait') ?? false,
    timeoutMs: timeout === undefined ? undefined : timeout * 1000,
    queueType: settings.choice('queueType', QUEUE_TYPES),
  };
}

function taskName(value: unknown): string {
  if (typeof value === 'string' && value !== '') return value;
  throw new UsageError('the task name must be a non-empty string');
}

export function jsonArray(settings: Settings): unknown[] {
  const value = settings.json('args') ?? [];
  if (Array.isArray(value)) return value as unknown[];
  throw invalid({ value, origin: settings.origin('args') ?? '--args' }, 'must be a JSON array');
}

export function jsonObject(settings: Settings): Record<string, unknown> {
  const value = settings.json('kwargs') ?? {};
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
  throw invalid({ value, origin: settings.origin('kwargs') ?? '--kwargs' }, 'must be a JSON object');
}

/** Leaves the remaining checks (countdown with eta, date formats) to the client, before it connects. */
function sendOptions(settings: Settings): SendOptions {
  const options: SendOptions = {
    queue: settings.string('queue'),
    countdown: settings.seconds('countdown'),
    eta: settings.string('eta'),
    expires: expires(settings.string('expires')),
    priority: settings.integer('priority', 0, 255),
  };
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined));
}

/** Seconds when numeric, else an ISO-8601 time, as Celery's `expires` accepts both. */
function expires(value: string | undefined): number | string | undefined {
  if (value === undefined) return undefined;
  const seconds = Number(value);
  return value.trim() !== '' && Number.isFinite(seconds) ? seconds : value;
}

async function runCall(config: CallConfig, { io, global, logger }: RunContext): Promise<number> {
  if (config.wait && global.resultBackend === null)
    throw new UsageError('--wait needs a result backend, but results are disabled (--result-backend)');
  const client = new Client({
    brokerUrl: global.brokerUrl,
    brokerTls: global.brokerTls,
    declare: global.declare,
    resultBackend: config.wait ? global.resultBackend : null,
    queueType: config.queueType,
    logger,
  });
  try {
    const result = await client.sendTask(config.task, config.args, config.kwargs, config.send);
    io.stdout.write(`${result.id}\n`);
    if (config.wait) io.stdout.write(`${stringifyJson(await result.get({ timeoutMs: config.timeoutMs }))}\n`);
    return ExitCode.OK;
  } finally {
    await client.close();
  }
}
