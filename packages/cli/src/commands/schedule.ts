/**
 * `celeriac schedule <action>`: runtime edits of the leading beat's schedules over AMQP
 * (client.schedules), and `preview`, which prints the next slots of a spec without a broker.
 *
 *   schedule add <name> --task T (--cron EXPR [--tz ZONE] | --every DURATION | --at ISO) [...]
 *   schedule update <name> (the same flags: replaces the definition, keeps last slot and run count)
 *   schedule ls [--json] | rm <name> | enable <name> | disable <name>
 *   schedule preview (--cron EXPR [--tz ZONE] | --every DURATION) [--from ISO] [--count N]
 */
import { Client, type ScheduleClient } from '@celeriac/client';
import {
  InvalidArgumentError,
  compileScheduleInput,
  previewSlots,
  type ScheduleEntry,
  type ScheduleInput,
  type ScheduleSpec,
} from '@celeriac/core';
import { BEAT_GROUP_OPTION } from './beat-group-option.js';
import { QUEUE_TYPE_OPTION, QUEUE_TYPES } from './queue-type-option.js';
import type { QueueType } from '@celeriac/amqp';
import { defineCommand, type Args, type RunContext } from '../command.js';
import { ExitCode, UsageError } from '../errors.js';
import type { Settings } from '../settings.js';
import { POLICIES, inputFromFlags, specFromFlags } from './schedule-flags.js';
import { previewLine, scheduleTable } from './schedule-table.js';

const ACTIONS = ['add', 'update', 'ls', 'rm', 'enable', 'disable', 'preview'] as const;
type Action = (typeof ACTIONS)[number];

/** What every command sent to a beat carries: how long to wait, which group's beat, and the type its control queue is declared as. */
interface Remote {
  timeoutMs: number;
  beatGroup: string | undefined;
  queueType: QueueType | undefined;
}

type ScheduleConfig =
  | ({ action: 'add' | 'update'; input: ScheduleInput } & Remote)
  | ({ action: 'ls'; json: boolean } & Remote)
  | ({ action: 'rm' | 'enable' | 'disable'; name: string } & Remote)
  | { action: 'preview'; spec: ScheduleSpec; from: Date; count: number };

/** Beat answers in milliseconds; a missing answer means no beat leads (or none is running). */
const DEFAULT_TIMEOUT_S = 10;

export const scheduleCommand = defineCommand<ScheduleConfig>({
  command: 'schedule <action> [name]',
  describe:
    "Add, update, list, remove, enable or disable the running beat's schedules (over AMQP), or preview a schedule's next fire times",
  positionals: {
    action: {
      type: 'string',
      choices: ACTIONS,
      describe: 'add, update, ls, rm, enable, disable, or preview (no broker needed)',
    },
    name: { type: 'string', describe: 'Schedule name (add, update, rm, enable, disable)' },
  },
  options: {
    task: { type: 'string', requiresArg: true, describe: 'add: the task to send, e.g. workorders.report' },
    cron: {
      type: 'string',
      requiresArg: true,
      describe: 'add, preview: cron expression, 5 fields (or 6 with seconds first), e.g. "0 7 * * *"',
    },
    tz: {
      type: 'string',
      requiresArg: true,
      describe: 'With --cron: IANA zone the expression is read in, e.g. Europe/Warsaw',
      defaultDescription: 'UTC',
    },
    every: {
      type: 'string',
      requiresArg: true,
      describe: 'add, preview: interval such as 30s, 5m, 1h, 1d, 1h30m or milliseconds',
    },
    at: {
      type: 'string',
      requiresArg: true,
      describe: 'add: fire once at this ISO-8601 time (then the schedule is disabled)',
    },
    args: {
      type: 'string',
      requiresArg: true,
      describe: 'add: positional arguments as a JSON array',
      defaultDescription: '[]',
    },
    kwargs: {
      type: 'string',
      requiresArg: true,
      describe: 'add: keyword arguments as a JSON object',
      defaultDescription: '{}',
    },
    queue: {
      type: 'string',
      requiresArg: true,
      describe: 'add: queue the task is sent to',
      defaultDescription: 'celery',
    },
    priority: { type: 'number', requiresArg: true, describe: 'add: message priority 0-255' },
    expires: {
      type: 'number',
      requiresArg: true,
      describe: 'add: seconds after the slot time after which a fired task is discarded',
    },
    policy: {
      type: 'string',
      requiresArg: true,
      describe: `add: missed runs after downtime: ${POLICIES.join(', ')} (one catch-up fire)`,
      defaultDescription: 'once',
    },
    disabled: { type: 'boolean', describe: 'add: store the schedule disabled' },
    json: { type: 'boolean', describe: 'ls: print the schedules as a JSON array' },
    from: {
      type: 'string',
      requiresArg: true,
      describe: 'preview: list slots after this ISO-8601 time (and anchor --every there)',
      defaultDescription: 'now',
    },
    count: { type: 'number', requiresArg: true, describe: 'preview: how many slots to list', defaultDescription: '10' },
    timeout: {
      type: 'number',
      requiresArg: true,
      describe: "Seconds to wait for the leading beat's answer",
      defaultDescription: String(DEFAULT_TIMEOUT_S),
    },
    'beat-group': BEAT_GROUP_OPTION,
    'queue-type': QUEUE_TYPE_OPTION,
  },
  compile: compileSchedule,
  run: runSchedule,
});

function compileSchedule(settings: Settings, args: Args): ScheduleConfig {
  const action = args.action as Action;
  if (action === 'preview') return compilePreview(settings);
  const remote: Remote = {
    timeoutMs: (settings.seconds('timeout') ?? DEFAULT_TIMEOUT_S) * 1000,
    beatGroup: settings.string('beatGroup'),
    queueType: settings.choice('queueType', QUEUE_TYPES),
  };
  if (action === 'ls') return { action, json: settings.boolean('json') ?? false, ...remote };
  const name = scheduleName(args.name, action);
  if (action === 'add' || action === 'update')
    return { action, input: validInput(inputFromFlags(name, settings)), ...remote };
  return { action, name, ...remote };
}

function scheduleName(value: unknown, action: Action): string {
  if (typeof value === 'string' && value !== '') return value;
  throw new UsageError(`schedule ${action} needs a schedule name`);
}

/** The same validation beat runs, here before connecting: a bad cron or zone is a usage error. */
function validInput(input: ScheduleInput): ScheduleInput {
  compileScheduleInput(input, new Date());
  return input;
}

function compilePreview(settings: Settings): ScheduleConfig {
  const spec = specFromFlags(settings, ['cron', 'every']);
  const fromText = settings.string('from');
  const from = fromText === undefined ? new Date() : new Date(fromText);
  if (Number.isNaN(from.getTime()))
    throw new UsageError(`${settings.origin('from')} must be an ISO-8601 time, got ${JSON.stringify(fromText)}`);
  const count = settings.integer('count', 1, 1000) ?? 10;
  // An interval previewed --from a time is anchored there, as it would be if added then.
  return { action: 'preview', spec: spec.kind === 'interval' ? { ...spec, anchor: from } : spec, from, count };
}

async function runSchedule(config: ScheduleConfig, context: RunContext): Promise<number> {
  if (config.action === 'preview') return preview(config, context);
  // The answers come back on an rpc reply queue, whatever --result-backend says for tasks.
  const client = new Client({
    brokerUrl: context.global.brokerUrl,
    brokerTls: context.global.brokerTls,
    declare: context.global.declare,
    resultBackend: 'rpc://',
    connectionName: 'celeriac-schedule',
    beatGroup: config.beatGroup ?? null,
    queueType: config.queueType,
    logger: context.logger,
  });
  try {
    context.io.stdout.write(await remote(client.schedules, config));
    return ExitCode.OK;
  } catch (error) {
    throw remoteFailure(error);
  } finally {
    await client.close();
  }
}

/** Pure: prints slots, UTC first, then (for cron) the same instant on the zone's clock. */
function preview(config: Extract<ScheduleConfig, { action: 'preview' }>, { io }: RunContext): Promise<number> {
  const timezone = config.spec.kind === 'cron' ? (config.spec.timezone ?? 'UTC') : undefined;
  for (const slot of previewSlots(config.spec, config.from, config.count))
    io.stdout.write(`${previewLine(slot, timezone)}\n`);
  return Promise.resolve(ExitCode.OK);
}

type RemoteConfig = Exclude<ScheduleConfig, { action: 'preview' }>;

/** Sends one command to the leading beat; resolves with what to print. */
async function remote(schedules: ScheduleClient, config: RemoteConfig): Promise<string> {
  const options = { timeoutMs: config.timeoutMs };
  switch (config.action) {
    case 'ls':
      return listing(await schedules.list(options), config.json);
    case 'add':
      return scheduleTable([await schedules.add(config.input, options)], new Date());
    case 'update':
      return scheduleTable([await schedules.update(config.input, options)], new Date());
    case 'enable':
      return scheduleTable([await schedules.enable(config.name, options)], new Date());
    case 'disable':
      return scheduleTable([await schedules.disable(config.name, options)], new Date());
    case 'rm':
      return removed(config.name, await schedules.remove(config.name, options));
  }
}

/**
 * Beat refusing a command (a name that exists, a zone its host lacks) is a failed command, exit
 * 1 — not a usage error: the same line may succeed against another beat or later.
 */
function remoteFailure(error: unknown): unknown {
  return error instanceof InvalidArgumentError ? new Error(`beat refused the command: ${error.message}`) : error;
}

function listing(entries: ScheduleEntry[], json: boolean): string {
  return json ? `${JSON.stringify(entries, null, 2)}\n` : scheduleTable(entries, new Date());
}

function removed(name: string, wasThere: boolean): string {
  if (!wasThere) throw new Error(`no schedule named '${name}'`);
  return `removed ${name}\n`;
}
